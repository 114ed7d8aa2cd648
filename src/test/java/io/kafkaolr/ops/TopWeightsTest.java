package io.kafkaolr.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.testing.Datasets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code GET /models/{id}/weights} computes, against the exported weights of models trained by replay. */
class TopWeightsTest {
    /** The top weights as the endpoint reads them: from a store, one pass over the rows. */
    private static ObjectNode top(final String modelId, final ModelSnapshot snapshot, final int top,
                                  final boolean byScale) {
        final Map<Integer, byte[]> entries = new java.util.TreeMap<>();
        snapshot.storeEntries().forEach(e -> entries.put(e.getKey(), e.getValue()));
        // a neighbour whose id extends this one's: its keys sort right after, and must not be read
        final SortedStore store = new SortedStore().put(modelId, entries).put(modelId + "2", entries);
        return LocalModels.topWeights(store, modelId, top, byScale).orElseThrow();
    }

    private static Replay trained(final Map<String, String> settings, final String dataset) {
        final Replay replay = new Replay(OlrConfig.defaults(settings).modelSettings(), 100,
                new PrintWriter(new StringWriter()));
        replay.train(Datasets.read(dataset));
        return replay;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftrl", "rls"})
    void binaryTopWeightsAreTheExportedWeightsLargestFirstWithTheirOddsRatios(final String optimizer) {
        final Replay replay = trained(Map.of("olr.model.optimizer", optimizer), "breast-cancer/train.csv");
        final ObjectNode exported = replay.export();
        final JsonNode top = top("bc", replay.snapshot(), 5, false);
        assertEquals(30, top.get("features").asInt(), "30 columns; least squares' model-wide row is not a feature");
        final List<Map.Entry<String, Double>> expected = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = exported.get("weights").fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> w = it.next();
            expected.add(Map.entry(w.getKey(), w.getValue().asDouble()));
        }
        expected.sort(Comparator.comparingDouble((Map.Entry<String, Double> e) -> Math.abs(e.getValue())).reversed());
        final JsonNode weights = top.get("weights");
        assertEquals(5, weights.size());
        for (int i = 0; i < 5; i++) {
            final JsonNode w = weights.get(i);
            assertEquals(expected.get(i).getKey(), w.get("features").get(0).asText(), "rank " + i);
            assertEquals(expected.get(i).getValue(), w.get("weight").asDouble(), 0.0);
            assertEquals(Math.exp(w.get("weight").asDouble()), w.get("odds_ratio").asDouble(), 0.0);
        }
        assertEquals(exported.get("bias").asDouble(), top.get("bias").asDouble(), 0.0);
    }

    @Test
    void perScaleTheRankingComparesFeaturesWhateverTheirUnits() {
        final Replay replay = trained(Map.of(), "breast-cancer/train.csv");
        final JsonNode all = top("bc", replay.snapshot(), 30, true);
        double previous = Double.POSITIVE_INFINITY;
        for (final JsonNode w : all.get("weights")) {
            final double scaled = w.get("scaled_weight").asDouble();
            assertTrue(Math.abs(scaled) <= previous);
            previous = Math.abs(scaled);
            assertTrue(w.get("scale").asDouble() > 0);
        }
        // per unit, a feature measured in thousandths (a tiny unit) has a huge weight; per scale it does not
        final JsonNode perUnit = top("bc", replay.snapshot(), 1, false).get("weights").get(0);
        final JsonNode perScale = all.get("weights").get(0);
        assertTrue(Math.abs(perUnit.get("weight").asDouble()) > Math.abs(perScale.get("weight").asDouble()));
    }

    @Test
    void softmaxTopWeightsGiveEveryClassAndRankByTheLargestOverClasses() {
        final Replay replay = trained(Map.of("olr.model.type", "softmax"), "wine/train.csv");
        final ObjectNode exported = replay.export();
        final ModelSnapshot snapshot = replay.snapshot();
        final JsonNode top = top("wine", snapshot, 3, false);
        final List<String> classes = new ArrayList<>();
        exported.get("classes").forEach(c -> classes.add(c.asText()));
        double previous = Double.POSITIVE_INFINITY;
        for (final JsonNode w : top.get("weights")) {
            final String name = w.get("features").get(0).asText();
            double largest = 0;
            for (final String c : classes) {
                assertEquals(exported.at("/weights/" + name + "/" + c).asDouble(), w.at("/weights/" + c).asDouble(), 0.0);
                largest = Math.max(largest, Math.abs(w.at("/weights/" + c).asDouble()));
            }
            assertTrue(largest <= previous);
            previous = largest;
            assertTrue(w.get("odds_ratio") == null, "odds ratios are for binary models");
        }
    }
}
