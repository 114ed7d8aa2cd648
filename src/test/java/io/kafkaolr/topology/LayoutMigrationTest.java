package io.kafkaolr.topology;

import static io.kafkaolr.serde.GoldenFile.assertBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.GoldenFile;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model stored in layout 3 (one entry per row, names entry and window slot: every golden file
 * of formats 1, 2 and 3) is read by the training side as it is, and rewritten in layout 4 at its
 * next commit, its layout-3 keys deleted in the same commit (first, but for its header, deleted
 * after the layout-4 header): the model read from the old layout, the model read back from the new
 * one and the model a scoring instance holds after applying the old topic and the migration commit
 * record by record (and at every record of that commit) all predict the probes to the bit the
 * writer of the golden file predicted, with the same header, AUC window and names. A
 * model of layout 4 (the golden files of {@code layout4/}) is read as it is, and not rewritten.
 */
class LayoutMigrationTest {
    /** The processor's AUC window for golden files written without one (the default). */
    private static final int DEFAULT_WINDOW = 1000;

    /** A store that records every put and delete, in order (a delete as a null value). */
    private static final class RecordingStore extends HashKeyValueStore {
        final List<KeyValue<Bytes, byte[]>> writes = new ArrayList<>();

        RecordingStore() {
            super("layout-migration");
        }

        @Override
        public void put(final Bytes key, final byte[] value) {
            writes.add(KeyValue.pair(key, value));
            super.put(key, value);
        }

        @Override
        public byte[] delete(final Bytes key) {
            writes.add(KeyValue.pair(key, null));
            return super.delete(key);
        }
    }

    static Stream<String> layout3Files() {
        return Stream.of("v1", "v2", "v3").flatMap(dir -> GoldenFile.under(dir).stream());
    }

    @Test
    void everyGoldenFileIsACase() {
        // the golden files of formats 1 to 3 are all of layout 3, each migrated below; those of layout 4 are read as they are
        assertEquals(13, layout3Files().count());
        assertEquals(6, layout4Files().count());
        assertEquals(GoldenFile.all().size(), layout3Files().count() + layout4Files().count());
    }

    /** A golden file in a store, read by a training task. */
    private record Loaded(GoldenFile golden, ModelState header, int window, RecordingStore store, TaskModels models,
                          TaskModels.Model model) {
        int hashBits() {
            return header.settings().hashBits();
        }
    }

    private static Loaded load(final String name) {
        final GoldenFile g = GoldenFile.load(name);
        ModelState header = null;
        for (final GoldenFile.Entry e : g.entries()) {
            // every entry of these files is a key of layout 3
            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(e.key());
            assertInstanceOf(ModelTopicFormat.Legacy.class, key, name);
            if (key.isHeader()) {
                header = ModelStateCodec.decodeHeader(e.value());
            }
        }
        assertNotNull(header, name + ": no header");
        final RecordingStore store = new RecordingStore();
        g.entries().forEach(e -> store.put(Bytes.wrap(e.key()), e.value()));
        store.writes.clear();
        final int window = g.aucWindow(DEFAULT_WINDOW);
        final TaskModels models = new TaskModels(store, header.settings().hashBits(), window,
                ConcurrentHashMap.newKeySet());
        models.loadAll();
        final TaskModels.Model model = assertDoesNotThrow(() -> models.get(g.id()), name + ": the model is unusable");
        assertNotNull(model, name + ": no model read");
        return new Loaded(g, header, window, store, models, model);
    }

    /** The probes, predicted by {@code model} as the training side holds it, to the writer's bits. */
    private static void assertProbes(final Loaded l, final TaskModels.Model model, final String what) {
        for (final GoldenFile.Probe p : l.golden().probes()) {
            assertBits(p.probabilities(), OnlineLogisticRegression.predict(model.state, p.vector(model.state.settings()),
                    model.rows).probabilities(), l.golden().name() + ", " + what + ", probe " + p.text());
        }
    }

    /** The window entries of the latest updates, newest first, as the model holds them (probability bits, label). */
    private static List<String> window(final Loaded l, final TaskModels.Model model) {
        final double[] scores = new double[l.window()];
        final boolean[] positives = new boolean[l.window()];
        final int n = model.window.latest(model.state.version(), scores, positives);
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Long.toHexString(Double.doubleToLongBits(scores[i])) + (positives[i] ? "+" : "-"));
        }
        return out;
    }

    /** The window entries of the golden file (layout 3: a ring indexed by version), newest first, up to a gap. */
    private static List<String> goldenWindow(final Loaded l) {
        final Map<Integer, byte[]> byIndex = new TreeMap<>();
        for (final GoldenFile.Entry e : l.golden().entries()) {
            byIndex.put(ModelStateCodec.decodeKey(e.key()).index(), e.value());
        }
        final List<String> out = new ArrayList<>();
        final long version = l.header().version();
        for (long v = version; v > Math.max(0, version - l.window()); v--) {
            final byte[] entry = byIndex.get(ModelStateCodec.windowIndex(v, l.window()));
            if (entry == null) {
                break;
            }
            out.add(Long.toHexString(Double.doubleToLongBits(ModelStateCodec.windowProbability(entry)))
                    + (ModelStateCodec.windowPositive(entry) ? "+" : "-"));
        }
        return out;
    }

    /** The names of the golden file's rows (layout 3: one entry per row). */
    private static Map<Integer, List<String>> goldenNames(final GoldenFile g) {
        final Map<Integer, List<String>> names = new TreeMap<>();
        for (final GoldenFile.Entry e : g.entries()) {
            final int index = ModelStateCodec.decodeKey(e.key()).index();
            if (ModelStateCodec.isNames(index)) {
                names.put(ModelStateCodec.namedRow(index), ModelStateCodec.decodeNames(e.value()));
            }
        }
        return names;
    }

    /** The golden file's rows: feature rows and model-wide rows. */
    private static int goldenRows(final GoldenFile g) {
        int rows = 0;
        for (final GoldenFile.Entry e : g.entries()) {
            rows += ModelStateCodec.isRow(ModelStateCodec.decodeKey(e.key()).index()) ? 1 : 0;
        }
        return rows;
    }

    /** The store's entries of layout 4, each key decoded, in key order. */
    private static Map<ModelTopicFormat.Entry, byte[]> layout4(final RecordingStore store, final String id) {
        final Map<ModelTopicFormat.Entry, byte[]> out = new LinkedHashMap<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(kv -> {
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(kv.key.get());
                assertInstanceOf(ModelTopicFormat.Entry.class, key, "a key not of layout 4 is left: " + kv.key);
                assertEquals(id, key.modelId());
                out.put((ModelTopicFormat.Entry) key, kv.value);
            });
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout3Files")
    void aModelOfLayout3IsReadAsItWasWritten(final String name) {
        final Loaded l = load(name);
        assertEquals(l.header(), l.model().state, name + ": the header");
        assertEquals(goldenRows(l.golden()), l.model().rows.size(), name + ": the rows");
        assertProbes(l, l.model(), "read from layout 3");
        assertEquals(goldenWindow(l), window(l, l.model()), name + ": the AUC window");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout3Files")
    void theNextCommitDeletesTheLayout3KeysWritesLayout4AndDeletesTheLayout3HeaderLast(final String name) {
        final Loaded l = load(name);
        l.models().writeChanged();
        final List<KeyValue<Bytes, byte[]>> writes = l.store().writes;
        final Bytes oldHeader = Bytes.wrap(ModelStateCodec.headerKey(l.golden().id()));
        final Set<Bytes> oldKeys = new HashSet<>();
        l.golden().entries().forEach(e -> oldKeys.add(Bytes.wrap(e.key())));
        // every layout-3 key deleted, each once: all but the header before the first write of layout 4
        final Set<Bytes> deleted = new HashSet<>();
        int lastDelete = -1;
        int firstPut = Integer.MAX_VALUE;
        for (int i = 0; i < writes.size(); i++) {
            final KeyValue<Bytes, byte[]> w = writes.get(i);
            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(w.key.get());
            if (key instanceof ModelTopicFormat.Legacy) {
                assertNull(w.value, name + ": a layout-3 key written, not deleted: " + key);
                assertTrue(deleted.add(w.key), name + ": deleted twice: " + key);
                if (!key.isHeader()) {
                    lastDelete = i;
                }
            } else {
                assertInstanceOf(ModelTopicFormat.Entry.class, key, name);
                assertNotNull(w.value, name + ": a layout-4 key deleted in a migration: " + key);
                firstPut = Math.min(firstPut, i);
            }
        }
        assertEquals(oldKeys, deleted, name + ": the layout-3 keys deleted");
        assertTrue(lastDelete < firstPut, name + ": a layout-3 key deleted at write " + lastDelete
                + ", after the first layout-4 write at " + firstPut);
        // the layout-4 header, then the layout-3 header's tombstone, last: a reader always has one of the two
        assertEquals(new ModelTopicFormat.Entry(l.golden().id(), ModelTopicFormat.Kind.HEADER, 0),
                ModelTopicFormat.decodeKey(writes.get(writes.size() - 2).key.get()));
        assertEquals(oldHeader, writes.get(writes.size() - 1).key);
        assertNull(writes.get(writes.size() - 1).value);
        // afterwards the store holds the model in layout 4 only
        final Map<ModelTopicFormat.Entry, byte[]> stored = layout4(l.store(), l.golden().id());
        assertTrue(stored.containsKey(new ModelTopicFormat.Entry(l.golden().id(), ModelTopicFormat.Kind.HEADER, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout3Files")
    void theMigratedModelReadsBackTheSame(final String name) {
        final Loaded l = load(name);
        final List<String> window = window(l, l.model());
        l.models().writeChanged();
        final TaskModels again = new TaskModels(l.store(), l.hashBits(), l.window(), ConcurrentHashMap.newKeySet());
        again.loadAll();
        final TaskModels.Model model = assertDoesNotThrow(() -> again.get(l.golden().id()), name);
        assertNotNull(model, name + ": no model read back");
        assertEquals(l.header(), model.state, name + ": the header");
        assertEquals(goldenRows(l.golden()), model.rows.size(), name + ": the rows");
        assertProbes(l, model, "read back from layout 4");
        assertEquals(window, window(l, model), name + ": the AUC window");
        assertEquals(goldenWindow(l), window(l, model), name + ": the AUC window");
        // the names, from the blocks of names
        final Map<Integer, List<String>> names = new TreeMap<>();
        layout4(l.store(), l.golden().id()).forEach((key, value) -> {
            if (key.kind() == ModelTopicFormat.Kind.NAMES) {
                final ModelTopicFormat.NamesBlock block = ModelTopicFormat.decodeNamesBlock(value);
                for (int i = 0; i < block.indices().length; i++) {
                    assertNull(names.put(block.indices()[i], ModelStateCodec.decodeNames(block.names()[i])),
                            name + ": row " + block.indices()[i] + " named twice");
                }
            }
        });
        assertEquals(goldenNames(l.golden()), names, name + ": the names");
        // migrated once: the model read back is in layout 4, and the next commit writes nothing
        l.store().writes.clear();
        again.writeChanged();
        assertTrue(l.store().writes.isEmpty(), name + ": rewritten again");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout3Files")
    void aScorerThatAppliesTheOldTopicThenTheMigrationCommitServesTheSameModel(final String name) {
        final Loaded l = load(name);
        l.models().writeChanged();
        final ServedModels served = new ServedModels(l.hashBits());
        // the model topic as the old layout left it, then the migration commit, record by record
        l.golden().entries().forEach(e -> served.apply(e.key(), e.value()));
        assertEquals(goldenRows(l.golden()), served.rows(l.golden().id()), name + ": rows served from layout 3");
        l.store().writes.forEach(w -> served.apply(w.key.get(), w.value));
        assertTrue(served.serves(l.golden().id()), name + ": not served after the migration");
        assertEquals(0, served.staged(l.golden().id()), name + ": rows left staged");
        // the deletes of the layout-3 row keys did not remove the rows the blocks hold
        assertEquals(goldenRows(l.golden()), served.rows(l.golden().id()), name + ": rows served after the migration");
        for (final GoldenFile.Probe p : l.golden().probes()) {
            assertBits(p.probabilities(), served.predict(l.golden().id(), p::vector).probabilities(),
                    name + ", served after the migration, probe " + p.text());
        }
    }

    /**
     * The migration commit deletes the layout-3 header key after it writes the layout-4 header: a
     * scorer that applies the commit record by record serves the model at every record of it (the
     * layout-3 header's tombstone, after a layout-4 header, removes nothing).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layout3Files")
    void aScorerServesTheModelAtEveryRecordOfTheMigrationCommit(final String name) {
        final Loaded l = load(name);
        l.models().writeChanged();
        final ServedModels served = new ServedModels(l.hashBits());
        l.golden().entries().forEach(e -> served.apply(e.key(), e.value()));
        for (final KeyValue<Bytes, byte[]> w : l.store().writes) {
            served.apply(w.key.get(), w.value);
            assertTrue(served.serves(l.golden().id()), name + ": not served after " + ModelTopicFormat.decodeKey(
                    w.key.get()) + (w.value == null ? " deleted" : " written"));
        }
    }

    @Test
    void aModelOfLayout3WithAnEntryThatCannotBeReadIsRefusedAndLeftAsItIs() {
        // a golden model with one row cut short, as no validation could have let in
        final GoldenFile g = GoldenFile.load("v3/binary-ftrl-defaults-auc-window.txt");
        final RecordingStore store = new RecordingStore();
        Bytes cut = null;
        for (final GoldenFile.Entry e : g.entries()) {
            final boolean row = ModelStateCodec.isRow(ModelStateCodec.decodeKey(e.key()).index());
            if (row && cut == null) {
                cut = Bytes.wrap(e.key());
                store.put(cut, Arrays.copyOf(e.value(), 12));
            } else {
                store.put(Bytes.wrap(e.key()), e.value());
            }
        }
        store.writes.clear();
        final TaskModels models = new TaskModels(store, 18, g.aucWindow(DEFAULT_WINDOW), ConcurrentHashMap.newKeySet());
        models.loadAll();
        assertEquals(RejectReason.INTERNAL_ERROR,
                assertThrows(RejectedInputException.class, () -> models.get(g.id())).reason());
        // not rewritten without the entry it could not read: the store keeps the model as it was
        models.writeChanged();
        assertTrue(store.writes.isEmpty(), "written: " + store.writes.size() + " records");
        assertEquals(12, store.get(cut).length);
    }

    static Stream<String> layout4Files() {
        return GoldenFile.under("layout4").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void aModelOfLayout4IsReadAsItIsAndNotRewritten(final String name) {
        final GoldenFile g = GoldenFile.load(name);
        final RecordingStore store = new RecordingStore();
        g.entries().forEach(e -> store.put(Bytes.wrap(e.key()), e.value()));
        final byte[] headerBytes = store.get(Bytes.wrap(ModelTopicFormat.headerKey(g.id())));
        final ModelState header = ModelStateCodec.decodeHeader(headerBytes);
        final int hashBits = header.settings().hashBits();
        final int rows = Integer.parseInt(g.model().get("rows"));
        store.writes.clear();
        final TaskModels models = new TaskModels(store, hashBits, g.aucWindow(DEFAULT_WINDOW),
                ConcurrentHashMap.newKeySet());
        models.loadAll();
        final TaskModels.Model model = assertDoesNotThrow(() -> models.get(g.id()), name);
        assertNotNull(model, name);
        assertEquals(header, model.state, name + ": the header");
        assertEquals(rows, model.rows.size(), name + ": the rows");
        for (final GoldenFile.Probe p : g.probes()) {
            assertBits(p.probabilities(), OnlineLogisticRegression.predict(model.state, p.vector(model.state.settings()),
                    model.rows).probabilities(), name + ", read by a training task, probe " + p.text());
        }
        models.writeChanged();
        assertTrue(store.writes.isEmpty(), name + ": rewritten at the next commit");
        // a scorer, from the records in order and from the store
        final ServedModels applied = new ServedModels(hashBits);
        g.entries().forEach(e -> applied.apply(e.key(), e.value()));
        final ServedModels rebuilt = new ServedModels(hashBits);
        rebuilt.rebuild(store, e -> {
            throw e;
        });
        for (final ServedModels served : List.of(applied, rebuilt)) {
            assertEquals(rows, served.rows(g.id()), name + ": rows served");
            for (final GoldenFile.Probe p : g.probes()) {
                assertBits(p.probabilities(), served.predict(g.id(), p::vector).probabilities(),
                        name + ", served, probe " + p.text());
            }
        }
    }

    static Stream<String> format3Files() {
        return GoldenFile.under("v3").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("format3Files")
    void aMigratedRowOfFormat3KeepsItsBytes(final String name) {
        // a row of format 3 goes through unchanged: its block (or its model-wide entry) holds the layout-3 value
        final Loaded l = load(name);
        l.models().writeChanged();
        final Map<Integer, byte[]> rows = new TreeMap<>();
        layout4(l.store(), l.golden().id()).forEach((key, value) -> {
            if (key.kind() == ModelTopicFormat.Kind.ROWS) {
                final ModelTopicFormat.RowBlock block = ModelTopicFormat.decodeRows(value);
                for (int i = 0; i < block.size(); i++) {
                    rows.put(block.indices()[i], block.rows()[i]);
                }
            } else if (key.kind() == ModelTopicFormat.Kind.MODEL_ROW) {
                rows.put(key.number(), value);
            }
        });
        int compared = 0;
        for (final GoldenFile.Entry e : l.golden().entries()) {
            final int index = ModelStateCodec.decodeKey(e.key()).index();
            if (ModelStateCodec.isRow(index)) {
                assertArrayEquals(e.value(), rows.get(index), name + ", row " + index);
                compared++;
            }
        }
        assertEquals(goldenRows(l.golden()), compared);
        assertEquals(compared, rows.size());
    }
}
