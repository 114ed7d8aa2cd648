package io.kafkaolr.serde;

import java.util.Objects;

/**
 * A topic of kafka-olr's records: its name and the codec of its values, one type and one wire
 * format. Built from the configuration, so that what is written to a topic and what is read
 * from it never disagree.
 *
 * @param name the topic's name
 * @param codec how its values are encoded
 * @param <T> the record type of its values
 */
public record Topic<T>(String name, RecordCodec<T> codec) {
    /** Validates. */
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(codec, "codec");
    }

    /** Encodes a value of this topic. */
    public byte[] encode(final T record) {
        return codec.encode(record);
    }

    /**
     * Decodes a value of this topic.
     *
     * @throws io.kafkaolr.core.RejectedInputException with the reason when the bytes are not a valid record
     */
    public T decode(final byte[] bytes) {
        return codec.decode(bytes);
    }
}
