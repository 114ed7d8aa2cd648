package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.kafka.TopicRole;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code olr consume --topic model}: each model-topic record as one JSON line, decoded by its
 * key's layout and kind; a record it cannot decode is printed raw, with its bytes and the reason,
 * and the records after it are printed as usual.
 */
class ConsumeCommandTest {
    private static final byte[] PREFIX = ModelStateCodec.modelPrefix("m");
    private static final WeightRow ROW = new WeightRow(3, new double[0], 0, 0, new double[] {0.25, 1.5});

    private static JsonNode consume(final byte[] key, final byte[] value) {
        final JsonNode node = ConsumeCommand.toJson(new ConsumerRecord<>("model", 0, 0L, key, value), TopicRole.MODEL,
                null);
        // what the command prints: one line of JSON
        try {
            assertFalse(ModelJson.MAPPER.writeValueAsString(node).contains("\n"));
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        return node;
    }

    private static byte[] block() {
        return ModelTopicFormat.encodeRows(6, 1, new int[] {5}, new byte[][] {ModelStateCodec.encodeRow(ROW)});
    }

    @Test
    void entriesOfLayout4AreDecoded() {
        final JsonNode rows = consume(ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.ROWS, 0), block());
        assertEquals("m", rows.get("model_id").asText());
        assertEquals("rows", rows.get("kind").asText());
        assertEquals(5, rows.get("rows").get(0).get("index").asInt());
        assertEquals(1.5, rows.get("rows").get(0).get("stored_state").get(1).asDouble());
        final ModelState fresh = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT));
        final JsonNode header = consume(ModelTopicFormat.headerKey("m"), ModelStateCodec.encodeHeader(fresh));
        assertTrue(header.get("header").asBoolean());
        final JsonNode deleted = consume(ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.ROWS, 64), null);
        assertTrue(deleted.has("deleted"));
        assertFalse(rows.has("undecodable") || header.has("undecodable") || deleted.has("undecodable"));
    }

    @Test
    void namesWindowAndModelWideEntriesAreDecodedEachAsItsKind() {
        final byte[] names = ModelTopicFormat.encodeNamesBlock(new int[] {5, 9},
                new byte[][] {ModelStateCodec.encodeNames(List.of("price")), ModelStateCodec.encodeNames(List.of("a", "b"))},
                2);
        final JsonNode named = consume(ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.NAMES, 0), names);
        assertEquals("names", named.get("kind").asText());
        assertEquals("price", named.at("/names/5/0").asText());
        assertEquals("b", named.at("/names/9/1").asText());

        final byte[] window = ModelTopicFormat.encodeWindow(512, new double[] {0.25, 0.75},
                new boolean[] {false, true}, new boolean[] {true, true}, 2);
        final JsonNode chunk = consume(ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.WINDOW, 2), window);
        assertEquals("window", chunk.get("kind").asText());
        assertEquals(2, chunk.get("chunk").asInt());
        assertEquals(512, chunk.get("first_version").asLong());
        assertEquals(0.75, chunk.at("/entries/1/progressive_probability").asDouble());
        assertTrue(chunk.at("/entries/1/positive").asBoolean());

        final JsonNode modelWide = consume(ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.MODEL_ROW, 3),
                ModelStateCodec.encodeRow(ROW));
        assertEquals("model_row", modelWide.get("kind").asText());
        assertEquals(0.25, modelWide.at("/stored_state/0").asDouble());
        for (final JsonNode node : List.of(named, chunk, modelWide)) {
            assertFalse(node.has("undecodable"), node.toString());
        }
    }

    @Test
    void entriesOfTheEarlierLayoutAreDecodedByTheirIndex() {
        final JsonNode names = consume(ModelStateCodec.key("m", ModelStateCodec.namesIndex(7)),
                ModelStateCodec.encodeNames(List.of("x=1")));
        assertEquals(7, names.get("names_of_row").asInt());
        assertEquals("x=1", names.at("/names/0").asText());
        assertFalse(names.has("auc_window_index"), "a names entry is not an AUC-window entry: " + names);
        final JsonNode row = consume(ModelStateCodec.key("m", 7), ModelStateCodec.encodeRow(ROW));
        assertEquals(1.5, row.at("/stored_state/1").asDouble());
        final JsonNode slot = consume(ModelStateCodec.key("m", ModelStateCodec.windowIndex(1, 10)),
                ModelStateCodec.encodeWindowEntry(0.5, true));
        assertEquals(0.5, slot.get("progressive_probability").asDouble());
    }

    @Test
    void aKeyIsPrintedAsTextOrInHex() {
        final JsonNode value = ModelJson.MAPPER.createObjectNode().put("x", 1);
        assertEquals("{\"key\":\"m\",\"value\":{\"x\":1}}",
                ConsumeCommand.withKey("m".getBytes(java.nio.charset.StandardCharsets.UTF_8), value).toString());
        assertEquals("{\"key_hex\":\"ff00\",\"value\":{\"x\":1}}",
                ConsumeCommand.withKey(new byte[] {(byte) 0xff, 0}, value).toString());
        assertTrue(ConsumeCommand.withKey(null, value).get("key").isNull());
        // a model-topic key: the model id, a NUL, its kind...: UTF-8, but not text
        assertTrue(ConsumeCommand.withKey(ModelTopicFormat.headerKey("m"), value).has("key_hex"));
    }

    @Test
    void anEntryThatCannotBeDecodedIsPrintedRawWithTheReason() {
        final byte[] key = ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.ROWS, 0);
        // a block cut short
        final byte[] cut = Arrays.copyOf(block(), 20);
        final JsonNode truncated = consume(key, cut);
        assertTrue(truncated.get("undecodable").asText().startsWith("corrupt block of rows")
                || truncated.get("undecodable").asText().startsWith("a count of"), truncated.toString());
        assertEquals(HexFormat.of().formatHex(key), truncated.get("key_hex").asText());
        assertEquals(HexFormat.of().formatHex(cut), truncated.get("value_hex").asText());
        assertTrue(truncated.has("key") && truncated.has("value"));
        // a header of a format this version does not read
        final byte[] newer = ModelStateCodec.encodeHeader(ModelState.fresh(ModelSettings.binary(0.1,
                LearningRateSchedule.CONSTANT)));
        newer[0] = 9;
        final JsonNode header = consume(ModelTopicFormat.headerKey("m"), newer);
        assertTrue(header.get("undecodable").asText().contains("model header has format version 9"),
                header.toString());
        // a layout-3 window entry of the wrong size: no message of its own, the exception says what it was
        final JsonNode window = consume(ModelStateCodec.key("m", ModelStateCodec.windowIndex(1, 10)), new byte[] {1, 2});
        assertTrue(window.get("undecodable").asText().contains("BufferUnderflowException"), window.toString());
        // the next record is decoded as usual
        assertEquals("rows", consume(key, block()).get("kind").asText());
    }
}
