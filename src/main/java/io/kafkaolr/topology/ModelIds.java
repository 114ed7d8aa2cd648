package io.kafkaolr.topology;

import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.nio.charset.StandardCharsets;

/** What a model id may be: non-empty, at most {@link #MAX_BYTES} bytes of UTF-8, no NUL character. */
public final class ModelIds {
    /** The longest model id, in UTF-8 bytes. */
    public static final int MAX_BYTES = 200;

    private ModelIds() {
    }

    /**
     * Checks a model id.
     *
     * @throws RejectedInputException ({@code INVALID_VALUE}) saying why, if it is not a valid model id
     */
    public static void validate(final String modelId) {
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
