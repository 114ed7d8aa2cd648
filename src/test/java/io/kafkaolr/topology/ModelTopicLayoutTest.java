package io.kafkaolr.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/**
 * The model topic's layout 4 where it is easy to get wrong: a block span that shrinks, the rewrite of a
 * model stored in the earlier layout while it is served, corrupt entries, imports at many hash bits.
 */
class ModelTopicLayoutTest {
    private static final int BITS = 18;
    private static final ModelSettings SETTINGS = ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT);

    private static final class Topic extends HashKeyValueStore {
        final List<KeyValue<Bytes, byte[]>> records = new ArrayList<>();

        Topic() {
            super("review");
        }

        @Override
        public void put(final Bytes key, final byte[] value) {
            records.add(KeyValue.pair(key, value));
            super.put(key, value);
        }

        @Override
        public byte[] delete(final Bytes key) {
            records.add(KeyValue.pair(key, null));
            return super.delete(key);
        }
    }

    private static void learn(final TaskModels.Model model, final int[] idx, final String label) {
        final double[] ones = new double[idx.length];
        java.util.Arrays.fill(ones, 1.0);
        final var step = OnlineLogisticRegression.learn(model.state, SparseVector.of(idx, ones), label, 1.0, model.rows);
        model.window.add(model.state.version(), step.progressive().probabilities()[1], step.labelIndex() == 1);
    }

    /** A model in layout 3 (one entry per row), header included; {@code extra} more legacy entries. */
    private static TaskModels.Model legacy(final Topic store, final String id, final Map<Integer, byte[]> extra) {
        final TaskModels writer = new TaskModels(new Topic(), BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model m = writer.create(id, ModelState.fresh(SETTINGS));
        for (int i = 0; i < 3; i++) {
            learn(m, new int[] {5, 99}, i == 1 ? "1" : "0");
        }
        final byte[] prefix = ModelStateCodec.modelPrefix(id);
        for (final int index : new int[] {5, 99}) {
            store.put(Bytes.wrap(ModelStateCodec.key(prefix, index)), ModelStateCodec.encodeRow(m.rows.read(index)));
        }
        extra.forEach((index, value) -> store.put(Bytes.wrap(ModelStateCodec.key(prefix, index)), value));
        store.put(Bytes.wrap(ModelStateCodec.key(prefix, ModelStateCodec.HEADER_INDEX)),
                ModelStateCodec.encodeHeader(m.state));
        return m;
    }

    @Test
    void theCommitThatRewritesAModelInBlocksKeepsItServedThroughout() {
        final Topic store = new Topic();
        legacy(store, "old", Map.of());
        final ServedModels served = new ServedModels(BITS);
        served.rebuild(store, e -> { throw e; });
        assertTrue(served.serves("old"));
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        models.loadAll();
        store.records.clear();
        models.writeChanged(); // the migration commit
        final List<String> trace = new ArrayList<>();
        for (final KeyValue<Bytes, byte[]> r : store.records) {
            served.apply(r.key.get(), r.value);
            trace.add(ModelTopicFormat.decodeKey(r.key.get()) + (r.value == null ? " (tombstone)" : "")
                    + " -> served " + served.serves("old"));
        }
        assertTrue(trace.stream().allMatch(s -> s.endsWith("served true")), "scoring kept the model throughout");
    }

    @Test
    void aModelOfTheEarlierLayoutWithAnUnreadableRowIsNotRewrittenAndStaysRefused() {
        final Topic store = new Topic();
        legacy(store, "old", Map.of(7, new byte[] {3}));
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        models.loadAll();
        assertThrows(RejectedInputException.class, () -> models.get("old"), "unusable: a row cannot be read");
        models.writeChanged();
        final TaskModels restarted = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        restarted.loadAll();
        assertNotNull(store.get(Bytes.wrap(ModelStateCodec.key("old", 7))), "the unreadable row is kept for repair");
        assertNotNull(store.get(Bytes.wrap(ModelStateCodec.headerKey("old"))));
        assertThrows(RejectedInputException.class, () -> restarted.get("old"), "still unusable after a restart");
    }

    @Test
    void anUnreadableNamesBlockIsWrittenAnewAndNeverFailsACommit() {
        final Topic store = new Topic();
        final TaskModels writer = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = writer.create("a", ModelState.fresh(SETTINGS));
        learn(a, new int[] {1}, "1");
        writer.changed(a);
        writer.writeChanged();
        // a names block no validation let in (one count, no bytes)
        final Bytes names = Bytes.wrap(ModelTopicFormat.key(ModelStateCodec.modelPrefix("a"),
                ModelTopicFormat.Kind.NAMES, 0));
        store.put(names, new byte[] {1, 0, 0, 0, 5});
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        models.loadAll();
        final TaskModels.Model m = models.get("a");
        learn(m, new int[] {2}, "0");
        m.newNames.put(2, List.of("two"));
        models.changed(m);
        models.writeChanged();
        final ModelTopicFormat.NamesBlock block = ModelTopicFormat.decodeNamesBlock(store.get(names));
        assertEquals(List.of("two"), ModelStateCodec.decodeNames(block.names()[0]));
    }

    @Test
    void anImportAtManyHashBitsIsStoredInTheSpanTheTrainingSideKeeps() {
        final int bits = 24;
        final ModelSettings ftrl = SETTINGS.withOptimizer(Optimizer.FTRL, 0.1).withHashBits(bits);
        final TaskModels trainer = new TaskModels(new Topic(), bits, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model m = trainer.create("m", ModelState.fresh(ftrl));
        final int[] rows = {100, 5000, 9000, 20_000, 70_000};
        for (int i = 0; i < 20; i++) {
            learn(m, rows, i % 2 == 0 ? "1" : "0");
        }
        // the import as ModelCommands writes it: ModelTopicFormat.entries of the model by index
        final SortedMap<Integer, byte[]> indexed = new TreeMap<>();
        indexed.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(m.state));
        for (final int r : rows) {
            indexed.put(r, ModelStateCodec.encodeRow(m.rows.read(r)));
        }
        final Topic store = new Topic();
        ModelTopicFormat.entries("m", indexed, bits, 100).forEach(e -> store.put(Bytes.wrap(e.getKey()), e.getValue()));
        final TaskModels models = new TaskModels(store, bits, 100, ConcurrentHashMap.newKeySet());
        models.loadAll();
        store.records.clear();
        models.writeChanged(); // nothing learned
        assertEquals(0, store.records.size(), "the next commit, nothing learned, writes nothing: " + rowKeys(store));
    }

    private static void learnOne(final TaskModels models, final TaskModels.Model m, final int index, final String label) {
        OnlineLogisticRegression.learn(m.state, SparseVector.of(new int[] {index}, new double[] {1}), label, 1.0, m.rows);
        models.changed(m);
    }

    @Test
    void aSpanThatShrinksLeavesNoBlockOfTheLargerSpanAndScoringKeepsEveryRow() {
        final Topic topic = new Topic();
        final int bits = 24;
        final ModelSettings softmax = ModelSettings.softmax(0.5, LearningRateSchedule.CONSTANT).withHashBits(bits);
        final TaskModels models = new TaskModels(topic, bits, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model m = models.create("s", ModelState.fresh(softmax));
        // row 5500: block 4096 at shift 11, block 5120 at shift 10
        for (int k = 0; k < 7; k++) {
            learnOne(models, m, 5500, "c" + k);
        }
        models.writeChanged();
        assertEquals(List.of("R4096(shift 11, rows [5500])"), rowKeys(topic));
        // an 8th class widens every row: the span shrinks, everything is rewritten
        learnOne(models, m, 5500, "c7");
        models.writeChanged();
        assertEquals(List.of("R5120(shift 10, rows [5500])"), rowKeys(topic), "the larger span's block deleted");

        // a restart now: the stored spans differ, so every restart rewrites the whole model
        final TaskModels restarted = new TaskModels(topic, bits, 100, ConcurrentHashMap.newKeySet());
        restarted.loadAll();
        final int before = topic.records.size();
        restarted.writeChanged();
        assertEquals(before, topic.records.size(), "a restart with nothing learned writes nothing");
        topic.records.subList(before, topic.records.size()).clear();

        // a new row in [4096, 5120): its block at shift 10 takes the coarse block's key
        learnOne(models, m, 4100, "c0");
        models.writeChanged();

        // scoring applies the model topic in order
        final ServedModels served = new ServedModels(bits);
        topic.records.forEach(r -> served.apply(r.key.get(), r.value));
        final SparseVector x = SparseVector.of(new int[] {5500}, new double[] {1});
        final double[] trained = OnlineLogisticRegression.predict(m.state, x, m.rows).probabilities();
        final double[] scored = served.predict("s", x).probabilities();
        assertEquals(m.rows.size(), served.rows("s"), "rows served");
        assertTrue(java.util.Arrays.equals(trained, scored), "the served model scores as the trained one");
    }

    static List<String> rowKeys(final HashKeyValueStore store) {
        final List<String> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> {
                final ModelTopicFormat.Key k = ModelTopicFormat.decodeKey(kv.key.get());
                if (k instanceof ModelTopicFormat.Entry e && e.kind() == ModelTopicFormat.Kind.ROWS) {
                    final ModelTopicFormat.RowBlock b = ModelTopicFormat.decodeRows(kv.value);
                    out.add("R" + e.number() + "(shift " + b.shift() + ", rows "
                            + java.util.Arrays.toString(b.indices()) + ")");
                }
            });
        }
        return out;
    }
}
