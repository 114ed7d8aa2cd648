package io.kafkaolr.topology;

import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.nio.charset.StandardCharsets;

/** What a model id may be: non-empty, at most {@link #MAX_BYTES} bytes of UTF-8, no NUL character. */
final class ModelIds {
    /** The longest model id, in UTF-8 bytes. */
    static final int MAX_BYTES = 200;

    private ModelIds() {
    }

    static void validate(final String modelId) {
        if (modelId.isEmpty()) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "model_id is empty");
        }
        if (modelId.indexOf('\0') >= 0) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "model_id contains a NUL character");
        }
        if (modelId.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE,
                    "model_id is longer than " + MAX_BYTES + " bytes");
        }
    }
}
