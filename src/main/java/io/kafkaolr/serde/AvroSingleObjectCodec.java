package io.kafkaolr.serde;

import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.DatumReader;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro single-object encoding of a generated class: no schema registry, the schema's
 * fingerprint in each message identifies the writer's schema.
 *
 * @param <T> the generated class
 */
public final class AvroSingleObjectCodec<T extends SpecificRecordBase> implements RecordCodec<T> {
    /** Avro's limit on the items of an array or map, for Avro decoding other than a codec's, unless the JVM sets it. */
    static final int MAX_COLLECTION_ITEMS = 1 << 22;
    /** Avro's limit on a string or bytes value, for Avro decoding other than a codec's, unless the JVM sets it. */
    static final int MAX_VALUE_BYTES = 1 << 24;
    /** The single-object marker, then the 8-byte little-endian fingerprint of the writer's schema. */
    private static final int HEADER_BYTES = 10;

    static {
        // records are decoded by BoundedBinaryDecoder, which bounds every length by the record's
        // bytes whatever these limits are; they bound what other Avro decoding in the JVM allocates,
        // where Avro reads them in time (once, when it first checks a length)
        setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
        setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_VALUE_BYTES);
        setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_VALUE_BYTES);
    }

    private static void setIfAbsent(final String property, final int limit) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, String.valueOf(limit));
        }
    }

    private final Schema schema;
    private final long fingerprint;
    private final BinaryMessageEncoder<T> encoder;
    private final DatumReader<T> reader;

    /** A codec for {@code type}. */
    public AvroSingleObjectCodec(final Class<T> type) {
        this.schema = SpecificData.get().getSchema(type);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.reader = new SpecificDatumReader<>(schema, schema, SpecificData.get());
    }

    @Override
    public T decode(final byte[] bytes) {
        if (bytes == null) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE, "the record has no value");
        }
        if (bytes.length < HEADER_BYTES || bytes[0] != (byte) 0xC3 || bytes[1] != 0x01) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE, "not Avro single-object encoding (no C3 01 "
                    + "marker and 8-byte schema fingerprint): " + bytes.length + " bytes"
                    + (bytes.length >= 2 ? String.format(", starting 0x%02X 0x%02X", bytes[0], bytes[1]) : ""));
        }
        final long written = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (written != fingerprint) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE, String.format("written with an unknown schema "
                    + "(fingerprint %016x, not %016x of %s)", written, fingerprint, schema.getFullName()));
        }
        try {
            final BoundedBinaryDecoder in = new BoundedBinaryDecoder(bytes, HEADER_BYTES);
            final T record = reader.read(null, in);
            if (in.remaining() > 0) {
                // a record followed by anything is not what its writer meant: refuse it whole
                throw new RejectedInputException(RejectReason.UNPARSEABLE, in.remaining()
                        + " bytes follow the " + schema.getName() + " record (" + bytes.length + " bytes in all)");
            }
            return record;
        } catch (final IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                       | UnsupportedOperationException e) {
            // truncated or corrupt datum bytes
            throw new RejectedInputException(RejectReason.UNPARSEABLE,
                    "corrupt " + schema.getName() + " datum: " + e);
        }
    }

    @Override
    public byte[] encode(final T record) {
        try {
            return RecordCodec.bytes(encoder.encode(record));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
