package io.kafkaolr.topology;

import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model headers as read from a store, decoded once per change rather than once per record:
 * a header changes at most once per example and is read by every event, and decoding it
 * parses the settings and class names anew. An entry is reused only while the stored bytes
 * are the ones it was decoded from (or written as), so whatever rewrites the store —
 * restoration, another instance's commit — is seen at the next read.
 *
 * <p>Also the one place that refuses a model hashed with other settings than this processor
 * ({@link RejectReason#MODEL_MISMATCH}).
 */
final class ModelHeaders {
    /** Enough for the models one task sees at once; beyond it the least recently used are dropped. */
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(byte[] bytes, ModelState model) {
    }

    private final int hashBits;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    ModelHeaders(final int hashBits) {
        this.hashBits = hashBits;
    }

    /**
     * The model whose header is stored as {@code bytes}, or null when there is none.
     *
     * @throws RejectedInputException {@link RejectReason#MODEL_MISMATCH} if the model hashes
     *     onto another dimension than this processor
     */
    ModelState read(final String modelId, final byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        final Entry cached = entries.get(modelId);
        if (cached != null && (cached.bytes() == bytes || Arrays.equals(cached.bytes(), bytes))) {
            return cached.model();
        }
        final ModelState model = decode(modelId, bytes, hashBits);
        entries.put(modelId, new Entry(bytes, model));
        return model;
    }

    /**
     * A header decoded anew (a model of its own, for a caller that changes it in place).
     *
     * @throws RejectedInputException {@link RejectReason#MODEL_MISMATCH} if the model hashes
     *     onto another dimension than {@code hashBits}
     */
    static ModelState decode(final String modelId, final byte[] bytes, final int hashBits) {
        final ModelState model = ModelStateCodec.decodeHeader(bytes);
        if (model.settings().hashBits() != hashBits) {
            throw new RejectedInputException(RejectReason.MODEL_MISMATCH, "model '" + modelId + "' hashes onto 2^"
                    + model.settings().hashBits() + " dimensions, this processor onto 2^" + hashBits);
        }
        return model;
    }


}
