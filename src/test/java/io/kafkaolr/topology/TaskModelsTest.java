package io.kafkaolr.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * What a training task writes to its store at a commit: every entry that changed since the
 * last one, each once, whatever the number of examples in between, each model's header last;
 * and what it reads back.
 */
class TaskModelsTest {
    private static final int BITS = 18;
    private static final ModelSettings SETTINGS = ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT);

    /** A store that records every put, in order. */
    private static final class RecordingStore extends ForwardingStore {
        final List<KeyValue<Bytes, byte[]>> puts = new ArrayList<>();

        @Override
        public void put(final Bytes key, final byte[] value) {
            puts.add(KeyValue.pair(key, value));
            super.put(key, value);
        }
    }

    @Test
    void aCommitWritesEachChangedRowOnceAndEachHeaderLastWhateverTheExamplesInBetween() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        final TaskModels.Model b = models.create("b", ModelState.fresh(SETTINGS));
        // 50 examples over the same three features of "a", one example of "b"
        for (int i = 0; i < 50; i++) {
            learn(a, SparseVector.of(new int[] {3, 7, 11}, new double[] {1, -1, 0.5 * i}), i % 2 == 0 ? "1" : "0");
            models.changed(a);
        }
        learn(b, SparseVector.of(new int[] {7}, new double[] {2}), "1");
        models.changed(b);

        models.writeChanged();

        final Map<String, List<Integer>> written = byModel(store.puts);
        final List<Integer> ofA = written.get("a");
        // rows 3, 7, 11, the 50 window entries, then the header, each once
        assertEquals(3 + 50 + 1, ofA.size(), ofA.toString());
        assertEquals(ofA.size(), new HashSet<>(ofA).size(), "an entry written twice: " + ofA);
        assertTrue(ofA.containsAll(List.of(3, 7, 11)));
        assertEquals(ModelStateCodec.HEADER_INDEX, ofA.get(ofA.size() - 1));
        assertEquals(List.of(7, ModelStateCodec.windowIndex(1, 100), ModelStateCodec.HEADER_INDEX), written.get("b"));
        // what was written is the model in memory
        assertEquals(50L, ModelStateCodec.decodeHeader(store.get(a.key(ModelStateCodec.HEADER_INDEX))).version());
        assertTrue(Arrays.equals(ModelStateCodec.encodeRow(a.rows.read(11)), store.get(a.key(11))));

        // nothing changed: nothing written
        store.puts.clear();
        models.writeChanged();
        assertTrue(store.puts.isEmpty());

        // one more example of "a" touching one row: that row, one window entry, the header
        learn(a, SparseVector.of(new int[] {11}, new double[] {1}), "1");
        models.changed(a);
        models.writeChanged();
        assertEquals(Map.of("a", List.of(11, ModelStateCodec.windowIndex(51, 100), ModelStateCodec.HEADER_INDEX)),
                byModel(store.puts));
    }

    @Test
    void aWindowSmallerThanTheExamplesOfOneCommitIsWrittenOnceEntryByEntry() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 10, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        for (int i = 0; i < 25; i++) {
            learn(a, SparseVector.of(new int[] {1}, new double[] {1}), "1");
            models.changed(a);
        }
        models.writeChanged();
        final List<Integer> ofA = byModel(store.puts).get("a");
        assertEquals(1 + 10 + 1, ofA.size(), ofA.toString());
        assertEquals(ofA.size(), new HashSet<>(ofA).size());
    }

    @Test
    void theModelsReadBackFromTheStoreAreTheModelsThatWereWritten() {
        final RecordingStore store = new RecordingStore();
        final Set<String> listed = ConcurrentHashMap.newKeySet();
        final TaskModels models = new TaskModels(store, BITS, 100, listed);
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        for (int i = 0; i < 5; i++) {
            learn(a, SparseVector.of(new int[] {1, 2}, new double[] {i, 1}), i % 2 == 0 ? "1" : "0");
            models.changed(a);
        }
        assertTrue(listed.isEmpty(), "listed before its header is in the store");
        models.writeChanged();
        assertEquals(Set.of("a"), listed);

        final TaskModels reread = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        reread.loadAll();
        final TaskModels.Model b = reread.get("a");
        assertEquals(a.state, b.state);
        assertTrue(Arrays.equals(ModelStateCodec.encodeRow(a.rows.read(1)), ModelStateCodec.encodeRow(b.rows.read(1))));
        final double[] scores = new double[100];
        final boolean[] positive = new boolean[100];
        assertEquals(5, b.window.latest(5, scores, positive));
        // learning on the copy read back continues where the original was
        assertEquals(OnlineLogisticRegression.predict(a.state, SparseVector.of(new int[] {1}, new double[] {1}), a.rows)
                        .logit(),
                OnlineLogisticRegression.predict(b.state, SparseVector.of(new int[] {1}, new double[] {1}), b.rows)
                        .logit());
    }

    @Test
    void anUnreadableStoredModelIsRefusedAsAnInternalErrorAndTheOthersAreRead() {
        final ForwardingStore store = new ForwardingStore();
        final TaskModels writer = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        for (final String id : List.of("good", "broken", "bad-row", "other-bits")) {
            final TaskModels.Model m = writer.create(id, ModelState.fresh(SETTINGS));
            learn(m, SparseVector.of(new int[] {1}, new double[] {1}), "1");
            writer.changed(m);
        }
        writer.writeChanged();
        // entries no validation could have let in, written behind the processor's back
        store.put(Bytes.wrap(ModelStateCodec.headerKey("broken")), new byte[] {3, 0, 1});
        store.put(Bytes.wrap(ModelStateCodec.key("bad-row", 1)), new byte[] {3});

        final TaskModels models = new TaskModels(store, BITS + 1, 100, ConcurrentHashMap.newKeySet());
        models.loadAll();
        final TaskModels sameBits = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        sameBits.loadAll();
        assertNotNull(sameBits.get("good"));
        final RejectedInputException header = assertThrows(RejectedInputException.class, () -> sameBits.get("broken"));
        assertEquals(RejectReason.INTERNAL_ERROR, header.reason());
        assertTrue(header.getMessage().contains("IllegalArgumentException"), header.getMessage());
        assertEquals(RejectReason.INTERNAL_ERROR,
                assertThrows(RejectedInputException.class, () -> sameBits.get("bad-row")).reason());
        assertEquals(RejectReason.MODEL_MISMATCH,
                assertThrows(RejectedInputException.class, () -> models.get("other-bits")).reason());
        assertFalse(sameBits.reload("never-stored"));
    }

    private static void learn(final TaskModels.Model model, final SparseVector x, final String label) {
        final var step = OnlineLogisticRegression.learn(model.state, x, label, 1.0, model.rows);
        model.window.add(model.state.version(), step.progressive().probabilities()[1], step.labelIndex() == 1);
    }

    private static Map<String, List<Integer>> byModel(final List<KeyValue<Bytes, byte[]>> puts) {
        final Map<String, List<Integer>> out = new java.util.LinkedHashMap<>();
        for (final KeyValue<Bytes, byte[]> kv : puts) {
            final ModelStateCodec.Key key = ModelStateCodec.decodeKey(kv.key.get());
            out.computeIfAbsent(key.modelId(), id -> new ArrayList<>()).add(key.index());
        }
        return out;
    }

    /** A store over {@link HashKeyValueStore}, which needs no task for reads and writes. */
    private static class ForwardingStore extends HashKeyValueStore {
        ForwardingStore() {
            super("test");
        }
    }
}
