package io.kafkaolr.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The JSON form of a generated Avro class, meant for people typing records by hand: one
 * object, the schema's field names, maps as objects, optional fields as a value or null
 * (not Avro's {@code {"string": ...}} union wrapping), bytes as base64, timestamps as epoch
 * milliseconds. Fields with defaults may be left out; unknown fields are refused, so that a
 * typo does not silently drop a value. String fields also accept numbers and booleans
 * ({@code "label": 1} and {@code "label": 1.0} read as {@code "1"}). {@code NaN} and {@code Infinity} are read (and
 * then refused by validation, with the field named) rather than failing the parse.
 *
 * @param <T> the generated class
 */
public final class JsonCodec<T extends SpecificRecordBase> implements RecordCodec<T> {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final Schema schema;

    /** A codec for {@code type}. */
    public JsonCodec(final Class<T> type) {
        this.schema = SpecificData.get().getSchema(type);
    }

    @Override
    public T decode(final byte[] bytes) {
        if (bytes == null) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE, "the record has no value");
        }
        final JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (final IOException e) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE, "not JSON: " + firstLine(e));
        }
        if (node == null || !node.isObject()) {
            throw new RejectedInputException(RejectReason.UNPARSEABLE,
                    "expected one JSON object per message, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        @SuppressWarnings("unchecked")
        final T record = (T) readRecord(node, schema, "");
        return record;
    }

    @Override
    public byte[] encode(final T record) {
        try {
            return MAPPER.writeValueAsBytes(write(record, schema));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + schema.getName() + " as JSON", e);
        }
    }

    /** The JSON tree of any generated record (used to print records). */
    public static JsonNode toJsonTree(final SpecificRecordBase record) {
        return write(record, record.getSchema());
    }

    private static IndexedRecord readRecord(final JsonNode node, final Schema recordSchema, final String path) {
        final IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, recordSchema);
        // a misspelt field is reported as such, before the missing field it leaves
        final Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            final String name = names.next();
            if (recordSchema.getField(name) == null) {
                throw new RejectedInputException(RejectReason.INVALID_VALUE, "unknown field '" + path + name
                        + "' (fields of " + recordSchema.getName() + ": "
                        + recordSchema.getFields().stream().map(Schema.Field::name).toList() + ")");
            }
        }
        for (final Schema.Field field : recordSchema.getFields()) {
            final String fieldPath = path + field.name();
            final JsonNode value = node.get(field.name());
            if (value == null) {
                if (!field.hasDefaultValue()) {
                    throw new RejectedInputException(RejectReason.MISSING_FIELD, "missing field '" + fieldPath + "'");
                }
                record.put(field.pos(), SpecificData.get().getDefaultValue(field));
            } else {
                record.put(field.pos(), read(value, field.schema(), fieldPath));
            }
        }
        return record;
    }

    private static Object read(final JsonNode value, final Schema s, final String path) {
        switch (s.getType()) {
            case UNION: {
                if (value.isNull() && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
                    return null;
                }
                for (final Schema branch : s.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return read(value, branch, path);
                    }
                }
                throw invalid(path, "a value", value);
            }
            case NULL:
                if (!value.isNull()) {
                    throw invalid(path, "null", value);
                }
                return null;
            case STRING:
                if (value.isTextual()) {
                    return value.textValue();
                }
                if (value.isIntegralNumber() || value.isBoolean()) {
                    return value.asText();
                }
                if (value.isNumber() && Double.isFinite(value.doubleValue())) {
                    return numberText(value);
                }
                throw invalid(path, "a string", value);
            case DOUBLE:
            case FLOAT:
                if (!value.isNumber()) {
                    throw invalid(path, "a number", value);
                }
                return s.getType() == Schema.Type.DOUBLE ? (Object) value.doubleValue() : (Object) value.floatValue();
            case LONG:
            case INT: {
                if (!value.isIntegralNumber() || !(s.getType() == Schema.Type.LONG ? value.canConvertToLong() : value.canConvertToInt())) {
                    throw invalid(path, "an integer", value);
                }
                if (s.getType() == Schema.Type.INT) {
                    return value.intValue();
                }
                return s.getLogicalType() instanceof LogicalTypes.TimestampMillis
                        ? (Object) Instant.ofEpochMilli(value.longValue())
                        : (Object) value.longValue();
            }
            case BOOLEAN:
                if (!value.isBoolean()) {
                    throw invalid(path, "true or false", value);
                }
                return value.booleanValue();
            case ENUM:
                if (!value.isTextual() || !s.hasEnumSymbol(value.textValue())) {
                    throw invalid(path, "one of " + s.getEnumSymbols(), value);
                }
                return SpecificData.get().createEnum(value.textValue(), s);
            case BYTES:
                if (!value.isTextual()) {
                    throw invalid(path, "base64 text", value);
                }
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(value.textValue()));
                } catch (final IllegalArgumentException e) {
                    throw invalid(path, "base64 text", value);
                }
            case MAP: {
                if (!value.isObject()) {
                    throw invalid(path, "an object", value);
                }
                final Map<String, Object> map = new LinkedHashMap<>();
                final Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
                while (entries.hasNext()) {
                    final Map.Entry<String, JsonNode> e = entries.next();
                    if (e.getValue().isNull()) {
                        throw new RejectedInputException(RejectReason.MISSING_FIELD,
                                "'" + path + "." + e.getKey() + "' is null");
                    }
                    map.put(e.getKey(), read(e.getValue(), s.getValueType(), path + "." + e.getKey()));
                }
                return map;
            }
            case ARRAY: {
                if (!value.isArray()) {
                    throw invalid(path, "an array", value);
                }
                final List<Object> list = new ArrayList<>(value.size());
                for (int i = 0; i < value.size(); i++) {
                    list.add(read(value.get(i), s.getElementType(), path + "[" + i + "]"));
                }
                return list;
            }
            case RECORD:
                if (!value.isObject()) {
                    throw invalid(path, "an object", value);
                }
                return readRecord(value, s, path + ".");
            default:
                throw new IllegalStateException("schema type " + s.getType() + " is not used by kafka-olr");
        }
    }

    private static JsonNode write(final Object value, final Schema s) {
        final JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        switch (s.getType()) {
            case UNION:
                for (final Schema branch : s.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return write(value, branch);
                    }
                }
                return f.nullNode();
            case STRING:
            case ENUM:
                return f.textNode(value.toString());
            case DOUBLE:
                return f.numberNode((Double) value);
            case FLOAT:
                return f.numberNode((Float) value);
            case INT:
                return f.numberNode((Integer) value);
            case LONG:
                return value instanceof Instant instant ? f.numberNode(instant.toEpochMilli()) : f.numberNode((Long) value);
            case BOOLEAN:
                return f.booleanNode((Boolean) value);
            case BYTES:
                return f.textNode(Base64.getEncoder().encodeToString(RecordCodec.bytes((ByteBuffer) value)));
            case MAP: {
                final ObjectNode node = f.objectNode();
                for (final Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    node.set(e.getKey().toString(), write(e.getValue(), s.getValueType()));
                }
                return node;
            }
            case ARRAY: {
                final ArrayNode node = f.arrayNode();
                for (final Object element : (Collection<?>) value) {
                    node.add(write(element, s.getElementType()));
                }
                return node;
            }
            case RECORD: {
                final ObjectNode node = f.objectNode();
                final IndexedRecord record = (IndexedRecord) value;
                for (final Schema.Field field : s.getFields()) {
                    node.set(field.name(), write(record.get(field.pos()), field.schema()));
                }
                return node;
            }
            default:
                throw new IllegalStateException("schema type " + s.getType() + " is not used by kafka-olr");
        }
    }

    /**
     * A number given for a string field, as text: a whole number without its fraction
     * ({@code 1.0} and {@code 1e0} read as {@code "1"}, the label a class was named by), any
     * other as its shortest decimal form ({@code 0.5} as {@code "0.5"}).
     */
    private static String numberText(final JsonNode value) {
        // finite doubles only: at most 309 digits
        final java.math.BigDecimal decimal = java.math.BigDecimal.valueOf(value.doubleValue()).stripTrailingZeros();
        return decimal.scale() <= 0 ? decimal.toBigInteger().toString() : decimal.toPlainString();
    }

    private static RejectedInputException invalid(final String path, final String expected, final JsonNode got) {
        return new RejectedInputException(RejectReason.INVALID_VALUE,
                "field '" + path + "' must be " + expected + ", got " + got.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + " " + abbreviate(got.toString()));
    }

    private static String abbreviate(final String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static String firstLine(final IOException e) {
        final String message = String.valueOf(e.getMessage());
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
