package io.kafkaolr.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.testing.Datasets;
import io.kafkaolr.testing.ExportTreeOracle;
import java.io.ByteArrayOutputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /models/{id}/export} writes its JSON as it reads the store, range by range: the
 * document must be, byte for byte, the one kafka-olr built in memory before
 * ({@link ExportTreeOracle}), and the one {@code olr model export} prints from the model topic
 * ({@link ModelSnapshot#toJson}), whatever the model.
 */
class ModelExportTest {
    private static final int WINDOW = 1000;
    private static ModelSettings settings(final Map<String, String> overrides) {
        return OlrConfig.defaults(overrides).modelSettings();
    }

    private static Map<Integer, byte[]> trained(final ModelSettings settings, final String dataset) {
        final Replay replay = new Replay(settings, 1000, new PrintWriter(new StringWriter()));
        replay.train(Datasets.read(dataset + "/train.csv"));
        final Map<Integer, byte[]> stored = new TreeMap<>();
        replay.snapshot().storeEntries().forEach(e -> stored.put(e.getKey(), e.getValue()));
        return stored;
    }

    /** Models of every kind the export must write, by id; ids that share prefixes, side by side in one store. */
    private static Map<String, Map<Integer, byte[]>> models() {
        final Map<String, Map<Integer, byte[]>> models = new LinkedHashMap<>();
        // binary, standardised (feature means), FTRL; with an AUC window, rows without names, names without a row
        final Map<Integer, byte[]> bc = trained(settings(Map.of()), "breast-cancer");
        for (int v = 1; v <= 10; v++) {
            bc.put(ModelStateCodec.windowIndex(v, 1000), ModelStateCodec.encodeWindowEntry(v / 11.0, v % 2 == 0));
        }
        final List<Integer> named = bc.keySet().stream().filter(ModelStateCodec::isNames).limit(3).toList();
        named.forEach(bc::remove);
        bc.put(ModelStateCodec.namesIndex(7), ModelStateCodec.encodeNames(List.of("no-such-row")));
        models.put("bc", bc);
        // 4 hash bits: most rows shared by several features (collisions); a name twice in one row's list
        final Map<Integer, byte[]> collide = trained(settings(Map.of("olr.model.hash-bits", "4",
                "olr.model.normalize", "scale", "olr.model.optimizer", "sgd")), "breast-cancer");
        final int someRow = collide.keySet().stream().filter(ModelStateCodec::isNames).findFirst().orElseThrow();
        final List<String> twice = new ArrayList<>(ModelStateCodec.decodeNames(collide.get(someRow)));
        twice.add(twice.get(0));
        collide.put(someRow, ModelStateCodec.encodeNames(twice));
        models.put("bc2", collide);
        // softmax, not normalised
        models.put("b", trained(settings(Map.of("olr.model.type", "softmax", "olr.model.normalize", "none",
                "olr.model.optimizer", "adagrad")), "wine"));
        // least squares: its model-wide row is in the state, not among the weights
        final Map<Integer, byte[]> rls = trained(settings(Map.of("olr.model.optimizer", "rls",
                "olr.model.hash-bits", "10")), "breast-cancer");
        assertTrue(rls.containsKey(FeatureHasher.FIRST_MODEL_ROW));
        models.put("bc-rls", rls);
        // never learned: metrics are NaN
        models.put("fresh", Map.of(ModelStateCodec.HEADER_INDEX,
                ModelStateCodec.encodeHeader(ModelState.fresh(settings(Map.of())))));
        return models;
    }

    /** Stores a model given by index ({@link ModelStateCodec}'s space) the way the training side does. */
    private static void fill(final SortedStore store, final String id, final Map<Integer, byte[]> entries) {
        final int bits = ModelStateCodec.decodeHeader(entries.get(ModelStateCodec.HEADER_INDEX)).settings().hashBits();
        ModelTopicFormat.entries(id, new TreeMap<>(entries), bits, WINDOW)
                .forEach(e -> store.map.put(Bytes.wrap(e.getKey()), e.getValue()));
    }

    private static byte[] streamed(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId)
            throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = ModelJson.MAPPER.createGenerator(out, JsonEncoding.UTF8)) {
            ModelJson.writeExport(g, LocalModels.storedHeader(store, modelId),
                    LocalModels.entries(store, modelId, WINDOW), () -> false);
        }
        return out.toByteArray();
    }

    @Test
    void theStreamedExportIsTheDocumentBuiltInMemoryByteForByte() throws Exception {
        final Map<String, Map<Integer, byte[]>> models = models();
        final SortedStore store = new SortedStore();
        models.forEach((id, entries) -> fill(store, id, entries));
        // the same models stored in the earlier layout, one entry per row
        final SortedStore earlier = new SortedStore();
        models.forEach((id, entries) -> entries.forEach((index, value) ->
                earlier.map.put(Bytes.wrap(ModelStateCodec.key(id, index)), value)));
        for (final Map.Entry<String, Map<Integer, byte[]>> model : models.entrySet()) {
            final String expected = ModelJson.MAPPER.writeValueAsString(ExportTreeOracle.export(model.getValue()));
            final String actual = new String(streamed(store, model.getKey()), StandardCharsets.UTF_8);
            assertEquals(expected, actual, model.getKey() + ": streamed from the store");
            assertEquals(expected, new String(streamed(earlier, model.getKey()), StandardCharsets.UTF_8),
                    model.getKey() + ": streamed from the store in the earlier layout");
            assertEquals(expected, ModelJson.MAPPER.writeValueAsString(ModelSnapshot.fromStored(model.getValue())
                    .toJson()), model.getKey() + ": olr model export's");
        }
        final String bc = new String(streamed(store, "bc"), StandardCharsets.UTF_8);
        assertTrue(bc.contains("\"feature_means\"") && bc.contains("\"#"), "the cases are there: " + bc);
        assertTrue(new String(streamed(store, "bc2"), StandardCharsets.UTF_8).contains("\"collisions\""));
        assertTrue(new String(streamed(store, "fresh"), StandardCharsets.UTF_8)
                .contains("\"progressive_log_loss\":null"), "a mean over no example is null: JSON has no NaN");
    }

    @Test
    void anExportReadsOneEntryAtATimeAndStopsWhenTold() throws Exception {
        // a wide model: 20,000 rows with their names (40,000 entries besides the header)
        final Map<Integer, byte[]> bc = trained(settings(Map.of()), "breast-cancer");
        final byte[] aRow = bc.get(bc.keySet().stream().filter(i -> i >= 0).findFirst().orElseThrow());
        final SortedStore store = new SortedStore();
        final Map<Integer, byte[]> wide = new TreeMap<>();
        wide.put(ModelStateCodec.HEADER_INDEX, bc.get(ModelStateCodec.HEADER_INDEX));
        for (int row = 1000; row < 21_000; row++) {
            wide.put(row, aRow);
            wide.put(ModelStateCodec.namesIndex(row), ModelStateCodec.encodeNames(List.of("feature-" + row)));
        }
        fill(store, "m", wide);
        final byte[] header = LocalModels.storedHeader(store, "m");
        // entries read, and those read before the document's first bytes went out
        final AtomicInteger read = new AtomicInteger();
        final int[] readBeforeFirstWrite = {-1};
        final int[] writes = {0};
        final ModelJson.StoredEntries counting = (from, to) -> {
            final ModelJson.EntryRange range = LocalModels.entries(store, "m", WINDOW).range(from, to);
            return new ModelJson.EntryRange() {
                @Override
                public boolean hasNext() {
                    return range.hasNext();
                }

                @Override
                public Map.Entry<Integer, byte[]> next() {
                    read.incrementAndGet();
                    return range.next();
                }

                @Override
                public void close() {
                    range.close();
                }
            };
        };
        final OutputStream out = new OutputStream() {
            @Override
            public void write(final int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) {
                if (writes[0]++ == 0) {
                    readBeforeFirstWrite[0] = read.get();
                }
            }
        };
        try (JsonGenerator g = ModelJson.MAPPER.createGenerator(out, JsonEncoding.UTF8)) {
            ModelJson.writeExport(g, header, counting, () -> false);
        }
        // written as read: Jackson's buffer (8,000 bytes) goes out every few hundred rows
        assertTrue(readBeforeFirstWrite[0] > 0 && readBeforeFirstWrite[0] < 1000,
                readBeforeFirstWrite[0] + " entries read before the first bytes were written");
        assertTrue(writes[0] > 300, "the document went out in " + writes[0] + " writes");

        final int[] checks = {0};
        try (JsonGenerator g = ModelJson.MAPPER.createGenerator(new ByteArrayOutputStream(), JsonEncoding.UTF8)) {
            assertThrows(InterruptedIOException.class, () -> ModelJson.writeExport(g, header,
                    LocalModels.entries(store, "m", WINDOW), () -> ++checks[0] > 5), "stopped after five rows");
        }
    }
}
