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
import io.kafkaolr.serde.ModelTopicFormat;
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

    /** A store that records every put and delete, in order (a delete as a null value). */
    private static final class RecordingStore extends ForwardingStore {
        final List<KeyValue<Bytes, byte[]>> puts = new ArrayList<>();

        @Override
        public void put(final Bytes key, final byte[] value) {
            puts.add(KeyValue.pair(key, value));
            super.put(key, value);
        }

        @Override
        public byte[] delete(final Bytes key) {
            puts.add(KeyValue.pair(key, null));
            return super.delete(key);
        }

        byte[] get(final TaskModels.Model model, final ModelTopicFormat.Kind kind, final int number) {
            return get(Bytes.wrap(ModelTopicFormat.key(ModelStateCodec.modelPrefix(model.id), kind, number)));
        }
    }

    @Test
    void aCommitWritesEachChangedBlockOnceAndEachHeaderLastWhateverTheExamplesInBetween() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        final TaskModels.Model b = models.create("b", ModelState.fresh(SETTINGS));
        // 50 examples over three features of "a" in two blocks (2^18 indices in blocks of 64), one example of "b"
        for (int i = 0; i < 50; i++) {
            learn(a, SparseVector.of(new int[] {3, 7, 700}, new double[] {1, -1, 0.5}), i % 3 == 0 ? "1" : "0");
            models.changed(a);
        }
        learn(b, SparseVector.of(new int[] {7}, new double[] {2}), "1");
        models.changed(b);

        models.writeChanged();

        // each block once, the window's chunk of 50 entries, the header last
        assertEquals(Map.of("a", List.of("R0", "R640", "W0", "H0"), "b", List.of("R0", "W0", "H0")),
                byModel(store.puts));
        // what was written is the model in memory
        assertEquals(50L, ModelStateCodec.decodeHeader(store.get(a, ModelTopicFormat.Kind.HEADER, 0)).version());
        final ModelTopicFormat.RowBlock first = ModelTopicFormat.decodeRows(store.get(a, ModelTopicFormat.Kind.ROWS, 0));
        assertTrue(Arrays.equals(new int[] {3, 7}, first.indices()));
        assertTrue(Arrays.equals(ModelStateCodec.encodeRow(a.rows.read(7)), first.rows()[1]));
        final ModelTopicFormat.WindowChunk chunk = ModelTopicFormat.decodeWindow(
                store.get(a, ModelTopicFormat.Kind.WINDOW, 0));
        assertEquals(1, chunk.firstVersion());
        assertEquals(50, chunk.probabilities().length);

        // nothing changed: nothing written
        store.puts.clear();
        models.writeChanged();
        assertTrue(store.puts.isEmpty());

        // one more example of "a" touching one row: its block (whole), the window's chunk, the header
        learn(a, SparseVector.of(new int[] {700}, new double[] {1}), "1");
        models.changed(a);
        models.writeChanged();
        assertEquals(Map.of("a", List.of("R640", "W0", "H0")), byModel(store.puts));
        assertEquals(51, ModelTopicFormat.decodeWindow(store.get(a, ModelTopicFormat.Kind.WINDOW, 0))
                .probabilities().length);
    }

    @Test
    void aWindowSmallerThanTheExamplesOfOneCommitIsWrittenOnceAndItsOldChunksDeleted() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 10, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        for (int i = 0; i < 250; i++) {
            learn(a, SparseVector.of(new int[] {1}, new double[] {1}), "1");
            models.changed(a);
        }
        models.writeChanged();
        assertEquals(Map.of("a", List.of("R0", "W0", "H0")), byModel(store.puts));
        final ModelTopicFormat.WindowChunk ten = ModelTopicFormat.decodeWindow(
                store.get(a, ModelTopicFormat.Kind.WINDOW, 0));
        assertEquals(241, ten.firstVersion());
        assertEquals(10, ten.probabilities().length);
        // updates 251..260 cross into the second chunk: both written
        store.puts.clear();
        for (int i = 0; i < 10; i++) {
            learn(a, SparseVector.of(new int[] {1}, new double[] {1}), "0");
            models.changed(a);
        }
        models.writeChanged();
        assertEquals(Map.of("a", List.of("R0", "W0", "W1", "H0")), byModel(store.puts));
        // 261..280: the first chunk (updates 1..256) is out of the window, and deleted
        store.puts.clear();
        for (int i = 0; i < 20; i++) {
            learn(a, SparseVector.of(new int[] {1}, new double[] {1}), "0");
            models.changed(a);
        }
        models.writeChanged();
        assertEquals(Map.of("a", List.of("R0", "W1", "W0", "H0")), byModel(store.puts));
        assertEquals(null, store.puts.get(2).value, "the old chunk's tombstone");
        assertEquals(null, store.get(a, ModelTopicFormat.Kind.WINDOW, 0));
    }

    @Test
    void anotherWindowSizeReadsTheStoredEntriesOfTheLatestUpdates() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        for (int i = 0; i < 50; i++) {
            learn(a, SparseVector.of(new int[] {1, 2}, new double[] {i % 7, 1}), i % 2 == 0 ? "1" : "0");
            models.changed(a);
        }
        models.writeChanged();
        final double[] all = new double[100];
        final boolean[] allPositive = new boolean[100];
        assertEquals(50, a.window.latest(50, all, allPositive));
        for (final int size : new int[] {10, 1000}) {
            final TaskModels reread = new TaskModels(store, BITS, size, ConcurrentHashMap.newKeySet());
            reread.loadAll();
            final double[] scores = new double[size];
            final boolean[] positive = new boolean[size];
            final int n = reread.get("a").window.latest(50, scores, positive);
            assertEquals(Math.min(size, 50), n);
            for (int i = 0; i < n; i++) {
                assertEquals(all[i], scores[i], "update " + (50 - i) + " under a window of " + size);
                assertEquals(allPositive[i], positive[i]);
            }
        }
    }

    @Test
    void namesOfNewRowsGoIntoTheirBlockAndJoinTheNamesAlreadyThere() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        learn(a, SparseVector.of(new int[] {1}, new double[] {1}), "1");
        a.newNames.put(1, List.of("one"));
        models.changed(a);
        models.writeChanged();
        learn(a, SparseVector.of(new int[] {2, 100}, new double[] {1, 1}), "0");
        a.newNames.put(2, List.of("two", "deux"));
        a.newNames.put(100, List.of("hundred"));
        models.changed(a);
        store.puts.clear();
        models.writeChanged();
        assertEquals(Map.of("a", List.of("R0", "R64", "N0", "N64", "W0", "H0")), byModel(store.puts));
        final ModelTopicFormat.NamesBlock block = ModelTopicFormat.decodeNamesBlock(
                store.get(a, ModelTopicFormat.Kind.NAMES, 0));
        assertTrue(Arrays.equals(new int[] {1, 2}, block.indices()));
        assertEquals(List.of("one"), ModelStateCodec.decodeNames(block.names()[0]));
        assertEquals(List.of("two", "deux"), ModelStateCodec.decodeNames(block.names()[1]));
    }

    @Test
    void aBlocksNamesStopGrowingAtTheirCapAndTheRowsAreLearnedAllTheSame() {
        final RecordingStore store = new RecordingStore();
        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model a = models.create("a", ModelState.fresh(SETTINGS));
        final String longName = "n".repeat(3000);
        // 64 rows of one block (2^18 indices, 64 to a block), each named twice by 3,000 characters: 384 KB of names
        for (int row = 0; row < 64; row++) {
            learn(a, SparseVector.of(new int[] {row}, new double[] {1}), "1");
            a.newNames.put(row, List.of(longName + row, longName));
            models.changed(a);
            if (row % 16 == 15) {
                models.writeChanged(); // over several commits: the stored block is read and added to
            }
        }
        final byte[] block = store.get(a, ModelTopicFormat.Kind.NAMES, 0);
        assertTrue(block.length <= ModelTopicFormat.NAMES_BLOCK_BYTES, block.length + " bytes");
        final ModelTopicFormat.NamesBlock names = ModelTopicFormat.decodeNamesBlock(block);
        assertTrue(names.indices().length > 30 && names.indices().length < 64, names.indices().length + " rows named");
        assertEquals(List.of(longName + 0, longName), ModelStateCodec.decodeNames(names.names()[0]));
        assertEquals(64, ModelTopicFormat.decodeRows(store.get(a, ModelTopicFormat.Kind.ROWS, 0)).size());
    }

    @Test
    void aModelStoredInTheEarlierLayoutIsReadAndRewrittenInBlocksAtTheNextCommit() {
        // a model of two rows, a names entry and three window entries, one entry each, as before blocks
        final RecordingStore store = new RecordingStore();
        final TaskModels writer = new TaskModels(new ForwardingStore(), BITS, 100, ConcurrentHashMap.newKeySet());
        final TaskModels.Model original = writer.create("old", ModelState.fresh(SETTINGS));
        for (int i = 0; i < 3; i++) {
            learn(original, SparseVector.of(new int[] {5, 99}, new double[] {1, i}), i == 1 ? "1" : "0");
        }
        final double[] scores = new double[100];
        final boolean[] positive = new boolean[100];
        assertEquals(3, original.window.latest(3, scores, positive));
        final byte[] prefix = ModelStateCodec.modelPrefix("old");
        for (final int index : new int[] {5, 99}) {
            store.put(Bytes.wrap(ModelStateCodec.key(prefix, index)),
                    ModelStateCodec.encodeRow(original.rows.read(index)));
        }
        store.put(Bytes.wrap(ModelStateCodec.key(prefix, ModelStateCodec.namesIndex(5))),
                ModelStateCodec.encodeNames(List.of("five")));
        for (int v = 1; v <= 3; v++) {
            store.put(Bytes.wrap(ModelStateCodec.key(prefix, ModelStateCodec.windowIndex(v, 100))),
                    ModelStateCodec.encodeWindowEntry(scores[3 - v], positive[3 - v]));
        }
        store.put(Bytes.wrap(ModelStateCodec.key(prefix, ModelStateCodec.HEADER_INDEX)),
                ModelStateCodec.encodeHeader(original.state));

        final TaskModels models = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        models.loadAll();
        final TaskModels.Model read = models.get("old");
        assertEquals(original.state, read.state);
        assertTrue(Arrays.equals(ModelStateCodec.encodeRow(original.rows.read(99)),
                ModelStateCodec.encodeRow(read.rows.read(99))));
        final double[] readScores = new double[100];
        assertEquals(3, read.window.latest(3, readScores, new boolean[100]));
        assertEquals(scores[0], readScores[0]);

        // the next commit: the earlier entries deleted first, then the model in blocks, its header, and the
        // earlier header last (a reader of the model topic has a header of the model throughout)
        store.puts.clear();
        models.writeChanged();
        final List<String> written = byModel(store.puts).get("old");
        assertEquals(List.of("R0", "R64", "N0", "W0", "H0", "legacy-1"), written.subList(6, written.size()), written.toString());
        for (int i = 0; i < 6; i++) {
            assertEquals(null, store.puts.get(i).value, "the earlier entries deleted first: " + written);
            assertTrue(written.get(i).startsWith("legacy"), written.toString());
        }
        assertEquals(null, store.puts.get(store.puts.size() - 1).value);
        final TaskModels again = new TaskModels(store, BITS, 100, ConcurrentHashMap.newKeySet());
        again.loadAll();
        assertEquals(original.state, again.get("old").state);
        final double[] againScores = new double[100];
        assertEquals(3, again.get("old").window.latest(3, againScores, new boolean[100]));
        assertEquals(readScores[2], againScores[2]);
        assertEquals(List.of("five"), ModelStateCodec.decodeNames(ModelTopicFormat.decodeNamesBlock(
                store.get(read, ModelTopicFormat.Kind.NAMES, 0)).names()[0]));
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
        store.put(Bytes.wrap(ModelTopicFormat.headerKey("broken")), new byte[] {3, 0, 1});
        store.put(Bytes.wrap(ModelTopicFormat.key(ModelStateCodec.modelPrefix("bad-row"), ModelTopicFormat.Kind.ROWS,
                0)), ModelTopicFormat.encodeRows(6, 1, new int[] {1}, new byte[][] {{3}}));

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

    /** The entries written, per model, as kind and number ({@code R0}: the block of rows from index 0). */
    private static Map<String, List<String>> byModel(final List<KeyValue<Bytes, byte[]>> puts) {
        final Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (final KeyValue<Bytes, byte[]> kv : puts) {
            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(kv.key.get());
            out.computeIfAbsent(key.modelId(), id -> new ArrayList<>()).add(name(key));
        }
        return out;
    }

    private static String name(final ModelTopicFormat.Key key) {
        return key instanceof ModelTopicFormat.Entry e ? e.kind().name().charAt(0) + "" + e.number()
                : "legacy" + ((ModelTopicFormat.Legacy) key).index();
    }

    /** A store over {@link HashKeyValueStore}, which needs no task for reads and writes. */
    private static class ForwardingStore extends HashKeyValueStore {
        ForwardingStore() {
            super("test");
        }
    }
}
