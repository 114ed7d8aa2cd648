package io.kafkaolr.serde;

import io.kafkaolr.core.RejectedInputException;

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
}
