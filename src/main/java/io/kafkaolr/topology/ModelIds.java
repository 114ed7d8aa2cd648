package io.kafkaolr.topology;

import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** What a model id may be: non-empty, at most {@link #MAX_BYTES} bytes of UTF-8, no NUL character. */
public final class ModelIds {
    /** The longest model id, in UTF-8 bytes. */
    public static final int MAX_BYTES = 200;

    private ModelIds() {
    }

    /**
     * The partition where Kafka's default partitioner puts a record keyed by {@code key} on a
     * topic of {@code partitions} partitions: murmur2 of the key, made positive, modulo the count.
     * Examples and control commands of a model are keyed by its id, so this is the partition of
     * its task.
     */
    public static int partitionOf(final byte[] key, final int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
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
