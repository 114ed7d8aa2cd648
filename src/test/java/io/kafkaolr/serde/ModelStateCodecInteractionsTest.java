package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A model's feature crosses in its header: format 4 carries them, written only when a model has
 * some; every older header reads as a model without crosses.
 */
class ModelStateCodecInteractionsTest {
    private static final ModelSettings CROSSED = ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT)
            .withInteractions(Interactions.parse("user:ad,user:user"));

    @Test
    void aHeaderWithCrossesIsFormat4AndRoundTrips() {
        final ModelState model = ModelState.fresh(CROSSED);
        final byte[] header = ModelStateCodec.encodeHeader(model);
        assertEquals(ModelTopicGoldenTest.NEWEST_HEADER_FORMAT, header[0]);
        final ModelState decoded = ModelStateCodec.decodeHeader(header);
        assertEquals(model, decoded);
        assertEquals("user:ad,user:user", decoded.settings().interactions().spec());
        assertArrayEquals(header, ModelStateCodec.encodeHeader(decoded));
    }

    @Test
    void aHeaderWithoutCrossesIsStillFormat3() {
        final ModelState model = ModelState.fresh(CROSSED.withInteractions(Interactions.NONE));
        final byte[] header = ModelStateCodec.encodeHeader(model);
        assertEquals(3, header[0], "readable by every version that reads format 3");
        assertEquals(Interactions.NONE, ModelStateCodec.decodeHeader(header).settings().interactions());
    }

    @Test
    void everyGoldenHeaderReadsWithTheCrossesItWasWrittenWithAndOlderFormatsWithNone() {
        for (final String name : GoldenFile.all()) {
            final GoldenFile file = GoldenFile.load(name);
            final List<GoldenFile.Entry> headers = file.entries().stream().filter(e -> isHeader(name, e.key())).toList();
            assertEquals(1, headers.size(), name + ": one header");
            final byte[] header = headers.get(0).value();
            final Interactions read = ModelStateCodec.decodeHeader(header).settings().interactions();
            assertEquals(file.model().getOrDefault("interactions", ""), read.spec(), name);
            assertEquals(header[0] == ModelTopicGoldenTest.NEWEST_HEADER_FORMAT, !read.isEmpty(),
                    name + ": format " + header[0] + " exactly when the model has crosses");
        }
    }

    private static boolean isHeader(final String name, final byte[] key) {
        return name.startsWith("layout4/") ? ModelTopicFormat.decodeKey(key).isHeader()
                : ModelStateCodec.decodeKey(key).isHeader();
    }

    @Test
    void everyStrictPrefixOfAFormat4HeaderIsRefused() {
        final byte[] header = ModelStateCodec.encodeHeader(ModelState.fresh(CROSSED));
        for (int length = 0; length < header.length; length++) {
            final byte[] truncated = Arrays.copyOf(header, length);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelStateCodec.decodeHeader(truncated), "cut to " + length);
            assertTrue(e.getMessage().startsWith("corrupt model header")
                    || e.getMessage().startsWith("a count of"), e.getMessage());
        }
    }

    @Test
    void theJsonExportCarriesTheCrossesAndAnImportKeepsThem() {
        final ModelState model = ModelState.fresh(CROSSED);
        final ModelSnapshot snapshot = ModelSnapshot.of(model, List.of(), new ModelRows(), new TreeMap<>());
        final ObjectNode json = snapshot.toJson();
        assertEquals("user:ad,user:user", json.get("settings").get("interactions").asText());
        final ModelSnapshot imported = ModelSnapshot.fromJson(ModelJson.MAPPER.valueToTree(json))
                .checkImport(Limits.DEFAULT, CROSSED.hashBits());
        assertEquals(CROSSED.interactions(), imported.model().settings().interactions());
        assertEquals(model, imported.model());
    }
}
