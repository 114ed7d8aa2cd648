package io.kafkaolr.serde;

import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro single-object encoding of a generated class: no schema registry, the schema's
 * fingerprint in each message identifies the writer's schema.
 *
 * @param <T> the generated class
 */
public final class AvroSingleObjectCodec<T extends SpecificRecordBase> implements RecordCodec<T> {
    /** The most items of an array or map any record may declare, unless the JVM sets Avro's own limit. */
    static final int MAX_COLLECTION_ITEMS = 1 << 22;
    /** The longest string or bytes value any record may declare, unless the JVM sets Avro's own limit. */
    static final int MAX_VALUE_BYTES = 1 << 24;

    static {
        // Avro allocates a collection or a string from the length a datum declares, before reading
        // its items: a corrupt length would allocate gigabytes and end the JVM (OutOfMemoryError),
        // where Avro's limits make it a SystemLimitException, one UNPARSEABLE record. Avro reads
        // these properties once, when it first checks a length: set before any record is decoded.
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
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    /** A codec for {@code type}. */
    public AvroSingleObjectCodec(final Class<T> type) {
        this.schema = SpecificData.get().getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    }

    @Override
    public T decode(final byte[] bytes) {
        if (bytes == null) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE, "the record has no value");
        }
        try {
            final ByteArrayInputStream in = new ByteArrayInputStream(bytes);
            final T record = decoder.decode(in, null);
            if (in.available() > 0) {
                // a record followed by anything is not what its writer meant: refuse it whole
                throw new RejectedInputException(RejectReason.UNPARSEABLE, in.available()
                        + " bytes follow the " + schema.getName() + " record (" + bytes.length + " bytes in all)");
            }
            return record;
        } catch (final BadHeaderException e) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE,
                    "not Avro single-object encoding (no C3 01 marker): " + e.getMessage());
        } catch (final MissingSchemaException e) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE,
                    "written with an unknown schema (fingerprint not " + schema.getFullName() + "): " + e.getMessage());
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
