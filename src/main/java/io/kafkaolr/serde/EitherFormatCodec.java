package io.kafkaolr.serde;

import org.apache.avro.specific.SpecificRecordBase;

/**
 * Writes records in one format and reads them in either: a record says what it is by its first
 * bytes, Avro's single-object marker {@code C3 01} (never the start of UTF-8 text) or a JSON
 * object's {@code {}. So a topic can hold both, and a producer need not know which format the
 * processor was configured with. Bytes that are neither are decoded, and refused, as the
 * written format, whose refusal says what was expected.
 */
final class EitherFormatCodec<T extends SpecificRecordBase> implements RecordCodec<T> {
    private final RecordCodec<T> written;
    private final AvroSingleObjectCodec<T> avro;
    private final JsonCodec<T> json;

    EitherFormatCodec(final RecordFormat format, final Class<T> type) {
        this.avro = new AvroSingleObjectCodec<>(type);
        this.json = new JsonCodec<>(type);
        this.written = format == RecordFormat.AVRO ? avro : json;
    }

    @Override
    public T decode(final byte[] bytes) {
        if (bytes != null && bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01) {
            return avro.decode(bytes);
        }
        if (bytes != null && startsLikeJson(bytes)) {
            return json.decode(bytes);
        }
        return written.decode(bytes);
    }

    @Override
    public byte[] encode(final T record) {
        return written.encode(record);
    }

    /** Whether the first byte that is not JSON whitespace opens an object. */
    private static boolean startsLikeJson(final byte[] bytes) {
        for (final byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '{';
            }
        }
        return false;
    }
}
