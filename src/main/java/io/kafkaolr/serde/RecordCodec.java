package io.kafkaolr.serde;

import io.kafkaolr.core.RejectedInputException;
import java.nio.ByteBuffer;

/**
 * Turns records of one type into bytes and back, in one wire format.
 *
 * @param <T> the record type
 */
public interface RecordCodec<T> {
    /**
     * Decodes bytes.
     *
     * @throws RejectedInputException with the reason when the bytes are not a valid record
     */
    T decode(byte[] bytes);

    /** Encodes a record. */
    byte[] encode(T record);

    /** The bytes of an Avro {@code bytes} field (or any buffer) from its position to its limit; the buffer is not moved. */
    static byte[] bytes(final ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        final byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
