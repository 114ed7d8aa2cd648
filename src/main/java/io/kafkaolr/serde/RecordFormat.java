package io.kafkaolr.serde;

import java.util.Locale;
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

    /** Parses {@code avro} or {@code json}, any case. */
    public static RecordFormat parse(final String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown record format '" + text + "': expected avro or json", e);
        }
    }
}
