package io.kafkaolr.serde;

import org.apache.avro.specific.SpecificRecordBase;

/** The wire format of a topic's values; the processor writes its outputs in the format it reads. */
public enum RecordFormat {
    /** Avro binary in single-object encoding: a 2-byte marker, the schema's fingerprint, the datum. */
    AVRO,
    /** One JSON object per message, field names as in the Avro schemas (see README). */
    JSON;

    /** The codec of this format for a generated Avro class. */
    public <T extends SpecificRecordBase> RecordCodec<T> codec(final Class<T> type) {
        return switch (this) {
            case AVRO -> new AvroSingleObjectCodec<>(type);
            case JSON -> new JsonCodec<>(type);
        };
    }

}
