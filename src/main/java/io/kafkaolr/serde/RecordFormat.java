package io.kafkaolr.serde;

import org.apache.avro.specific.SpecificRecordBase;

/**
 * The wire format in which records are written. Records are read in either format, whichever
 * this one is: each says what it is by its first bytes ({@link EitherFormatCodec}).
 */
public enum RecordFormat {
    /** Avro binary in single-object encoding: a 2-byte marker, the schema's fingerprint, the datum. */
    AVRO,
    /** One JSON object per message, field names as in the Avro schemas (see README). */
    JSON;

    /**
     * The codec for a generated Avro class that writes in this format and reads Avro
     * single-object and JSON records alike.
     */
    public <T extends SpecificRecordBase> RecordCodec<T> codec(final Class<T> type) {
        return new EitherFormatCodec<>(this, type);
    }

}
