package io.kafkaolr.serde;

import io.kafkaolr.core.RejectedInputException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

    /** The SHA-256 of {@code bytes} in lowercase hex: how a dead letter names its whole original value. */
    static String sha256Hex(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
