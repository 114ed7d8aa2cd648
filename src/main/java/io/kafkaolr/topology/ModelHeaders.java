package io.kafkaolr.topology;

import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.ModelStateCodec;

/**
 * Stored model headers as the processors use them, and the one place that refuses a model
 * hashed with other settings than this processor ({@link RejectReason#MODEL_MISMATCH}).
 */
final class ModelHeaders {
    private ModelHeaders() {
    }

    /**
     * A header decoded anew (a model of its own, for a caller that changes it in place).
     *
     * @throws RejectedInputException {@link RejectReason#MODEL_MISMATCH} if the model hashes
     *     onto another dimension than {@code hashBits}
     */
    static ModelState decode(final String modelId, final byte[] bytes, final int hashBits) {
        final ModelState model = ModelStateCodec.decodeHeader(bytes);
        requireHashBits(modelId, model, hashBits);
        return model;
    }

    /**
     * @throws RejectedInputException {@link RejectReason#MODEL_MISMATCH} if {@code model} hashes
     *     onto another dimension than {@code hashBits}
     */
    static void requireHashBits(final String modelId, final ModelState model, final int hashBits) {
        if (model.settings().hashBits() != hashBits) {
            throw ModelSettings.hashBitsMismatch("model '" + modelId + "'", model.settings().hashBits(), hashBits);
        }
    }
}
