package io.kafkaolr.serde;

import static io.kafkaolr.serde.GoldenFile.assertBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.WeightRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden files of layout 4 ({@code src/test/resources/model-topic/layout4/}): what the
 * topology of the commit named in each file wrote to the model topic, compacted to the last
 * value per key, with the probabilities its scoring branch answered for three probes. Every key
 * decodes as a layout-4 entry of the file's model; the blocks of rows, the blocks of names and
 * the AUC window's chunks have the layout docs/MODEL-TOPIC.md gives; and the model rebuilt as a
 * reader of the topic rebuilds it (blocks applied in order), as an export reads it and as an
 * import writes it again predicts the probes to the bit.
 */
class ModelTopicLayout4GoldenTest {
    /** Every golden file of layout 4; {@code ModelTopicGoldenTest.everyGoldenFileIsListed} keeps this complete. */
    static final List<String> LAYOUT4 = List.of(
            "layout4/binary-ftrl-24-bits-shared-blocks.txt",
            "layout4/binary-ftrl-crosses.txt",
            "layout4/binary-ftrl-defaults-auc-window-chunks.txt",
            "layout4/binary-rls-model-wide-row.txt",
            "layout4/softmax-ftrl-24-bits-span-shrinks.txt",
            "layout4/softmax-ftrl-class-added.txt");

    static Stream<String> layout4Files() {
        return LAYOUT4.stream();
    }

    /** A golden file with its keys decoded (in file order) and its header. */
    private record Decoded(GoldenFile golden, LinkedHashMap<ModelTopicFormat.Entry, byte[]> entries, ModelState header) {
        int hashBits() {
            return header.settings().hashBits();
        }

        int window() {
            return golden.aucWindow(1000);
        }

        List<Map.Entry<ModelTopicFormat.Entry, byte[]>> of(final ModelTopicFormat.Kind kind) {
            return entries.entrySet().stream().filter(e -> e.getKey().kind() == kind).toList();
        }

        /** Every row (feature rows from the blocks, model-wide rows), decoded, by index. */
        SortedMap<Integer, WeightRow> rows() {
            final SortedMap<Integer, WeightRow> rows = new TreeMap<>();
            for (final Map.Entry<ModelTopicFormat.Entry, byte[]> e : entries.entrySet()) {
                if (e.getKey().kind() == ModelTopicFormat.Kind.ROWS) {
                    final ModelTopicFormat.RowBlock block = ModelTopicFormat.decodeRows(e.getValue());
                    for (int i = 0; i < block.size(); i++) {
                        rows.put(block.indices()[i], ModelStateCodec.decodeRow(block.rows()[i]));
                    }
                } else if (e.getKey().kind() == ModelTopicFormat.Kind.MODEL_ROW) {
                    rows.put(e.getKey().number(), ModelStateCodec.decodeRow(e.getValue()));
                }
            }
            return rows;
        }
    }

    private static Decoded load(final String name) {
        final GoldenFile g = GoldenFile.load(name);
        final LinkedHashMap<ModelTopicFormat.Entry, byte[]> entries = new LinkedHashMap<>();
        for (final GoldenFile.Entry e : g.entries()) {
            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(e.key());
            assertInstanceOf(ModelTopicFormat.Entry.class, key, name + ": not a key of layout 4");
            assertNull(entries.put((ModelTopicFormat.Entry) key, e.value()), name + ": " + key + " twice");
        }
        final byte[] header = entries.get(new ModelTopicFormat.Entry(g.id(), ModelTopicFormat.Kind.HEADER, 0));
        assertNotNull(header, name + ": no header");
        return new Decoded(g, entries, ModelStateCodec.decodeHeader(header));
    }

    @Test
    void theLayoutWrittenHasGoldenFiles() {
        assertEquals(4, ModelTopicFormat.LAYOUT);
        assertEquals(new TreeSet<>(LAYOUT4), new TreeSet<>(GoldenFile.under("layout" + ModelTopicFormat.LAYOUT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void everyKeyIsAnEntryOfLayout4(final String name) {
        final GoldenFile g = GoldenFile.load(name);
        for (final GoldenFile.Entry e : g.entries()) {
            final byte[] key = e.key();
            final ModelTopicFormat.Entry entry = (ModelTopicFormat.Entry) ModelTopicFormat.decodeKey(key);
            final String what = name + ", " + entry;
            assertEquals(g.id(), entry.modelId(), what);
            // the model id, a zero byte, the kind's letter, the number in 4 big-endian bytes
            assertArrayEquals(ModelStateCodec.modelPrefix(g.id()), Arrays.copyOf(key, key.length - 5), what);
            assertEquals(0, key[key.length - 6], what);
            final char letter = switch (entry.kind()) {
                case HEADER -> 'H';
                case ROWS -> 'R';
                case NAMES -> 'N';
                case WINDOW -> 'W';
                case MODEL_ROW -> 'M';
            };
            assertEquals(letter, (char) key[key.length - 5], what);
            assertArrayEquals(ModelTopicFormat.key(ModelStateCodec.modelPrefix(g.id()), entry.kind(), entry.number()),
                    key, what);
            assertArrayEquals(entry.encode(), key, what);
            // what tells it from a key of layout 3: the byte before the last four is not zero
            assertFalse(ModelStateCodec.isModelKey(key), what);
            assertEquals(entry.isHeader() ? g.id() : null, ModelTopicFormat.headerModelId(key), what);
            if (entry.isHeader()) {
                assertEquals(0, entry.number(), what);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void theHeaderIsLastAndIsTheWritersModel(final String name) {
        final Decoded d = load(name);
        final Map<String, String> m = d.golden().model();
        final ModelState header = d.header();
        final ModelSettings s = header.settings();
        final List<ModelTopicFormat.Entry> keys = new ArrayList<>(d.entries().keySet());
        // each commit writes a model's changed entries, then its header
        assertTrue(keys.get(keys.size() - 1).isHeader(), name + ": the header is not last");
        // format 4 exactly for a model with feature crosses, format 3 otherwise
        assertEquals(m.containsKey("interactions") ? 4 : 3, d.entries().get(keys.get(keys.size() - 1))[0],
                name + ": the header's format byte");
        assertEquals(m.get("type"), s.type().name(), "type");
        assertEquals(List.of(m.get("classes").split(",")), header.classes(), "classes");
        assertEquals(Long.parseLong(m.get("version")), header.version(), "version");
        assertEquals(Long.parseLong(m.get("examples")), header.metrics().examples(), "examples");
        assertEquals(d.golden().labels().size(), header.version(), "the examples learned");
        for (int k = 0; k < header.classes().size(); k++) {
            final String label = header.classes().get(k);
            assertEquals(d.golden().labels().stream().filter(label::equals).count(), header.classCounts()[k],
                    "the count of class " + label);
        }
        GoldenFile.assertSettings(m, s);
        assertEquals(Integer.parseInt(m.get("rows")), d.rows().size(), "rows");
        assertEquals(Integer.parseInt(m.get("blocks")), d.of(ModelTopicFormat.Kind.ROWS).size(), "blocks");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void eachBlockHoldsItsSpansRowsAscendingAndEachRowIsInOneBlock(final String name) {
        final Decoded d = load(name);
        final ModelRows all = new ModelRows();
        d.rows().forEach(all::load);
        // one span for every block: that of the model's rows (it only shrinks, and a shrink rewrites every block)
        final int shift = ModelTopicFormat.blockShift(d.hashBits(), all.storedRowBytes());
        assertEquals(Integer.parseInt(d.golden().model().get("block_shift")), shift, name + ": the span");
        final Set<Integer> seen = new HashSet<>();
        for (final Map.Entry<ModelTopicFormat.Entry, byte[]> e : d.of(ModelTopicFormat.Kind.ROWS)) {
            final int first = e.getKey().number();
            final String what = name + ", block " + first;
            final byte[] value = e.getValue();
            assertEquals(1, value[0], what + ": format byte");
            final ModelTopicFormat.RowBlock block = ModelTopicFormat.decodeRows(value);
            assertEquals(shift, block.shift(), what + ": span");
            assertEquals(0, first & ((1 << shift) - 1), what + ": not the first index of a span");
            assertTrue(block.size() > 0, what + ": empty");
            for (int i = 0; i < block.size(); i++) {
                final int index = block.indices()[i];
                assertTrue(index >= first && index <= first + (1 << shift) - 1, what + ": row " + index
                        + " outside " + first + ".." + (first + (1 << shift) - 1));
                assertTrue(i == 0 || block.indices()[i - 1] < index, what + ": rows not ascending");
                assertTrue(index < 1 << d.hashBits(), what + ": row " + index + " outside the hashing");
                assertEquals(3, block.rows()[i][0], what + ", row " + index + ": format byte");
                assertTrue(seen.add(index), what + ": row " + index + " in two blocks");
            }
        }
        // model-wide rows: least squares' covariance, one entry each
        for (final Map.Entry<ModelTopicFormat.Entry, byte[]> e : d.of(ModelTopicFormat.Kind.MODEL_ROW)) {
            assertEquals(FeatureHasher.FIRST_MODEL_ROW, e.getKey().number(), name);
            assertEquals(Optimizer.RLS, d.header().settings().optimizer(), name);
            assertNotNull(ModelStateCodec.decodeRow(e.getValue()));
        }
        if (d.header().settings().optimizer() == Optimizer.RLS) {
            assertEquals(1, d.of(ModelTopicFormat.Kind.MODEL_ROW).size(), name + ": least squares' model-wide row");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void namesBlocksNameTheRowsOfTheirBlock(final String name) {
        final Decoded d = load(name);
        final FeatureHasher hasher = new FeatureHasher(d.hashBits());
        final SortedMap<Integer, WeightRow> rows = d.rows();
        final Set<Integer> rowBlocks = new HashSet<>();
        d.of(ModelTopicFormat.Kind.ROWS).forEach(e -> rowBlocks.add(e.getKey().number()));
        final int shift = Integer.parseInt(d.golden().model().get("block_shift"));
        final Set<Integer> named = new HashSet<>();
        for (final Map.Entry<ModelTopicFormat.Entry, byte[]> e : d.of(ModelTopicFormat.Kind.NAMES)) {
            final int first = e.getKey().number();
            final String what = name + ", names of block " + first;
            assertEquals(1, e.getValue()[0], what + ": format byte");
            assertTrue(rowBlocks.contains(first), what + ": no block of rows there");
            final ModelTopicFormat.NamesBlock block = ModelTopicFormat.decodeNamesBlock(e.getValue());
            for (int i = 0; i < block.indices().length; i++) {
                final int row = block.indices()[i];
                assertTrue(i == 0 || block.indices()[i - 1] < row, what + ": rows not ascending");
                assertEquals(first, (row >>> shift) << shift, what + ": row " + row + " of another block");
                assertTrue(rows.containsKey(row), what + ": names for row " + row + ", which has none");
                assertTrue(named.add(row), what + ": row " + row + " named twice");
                final List<String> names = ModelStateCodec.decodeNames(block.names()[i]);
                assertFalse(names.isEmpty(), what);
                for (final String feature : names) {
                    assertEquals(row, hasher.index(feature), what + ": '" + feature + "' does not hash to row " + row);
                }
            }
        }
        // the processor names every feature row it creates (olr.model.feature-names, true by default)
        assertEquals(rows.headMap(FeatureHasher.FIRST_MODEL_ROW).keySet(), named, name + ": rows without names");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void theWindowsChunksHoldTheLatestUpdatesByVersion(final String name) {
        final Decoded d = load(name);
        final List<Map.Entry<ModelTopicFormat.Entry, byte[]>> chunks = d.of(ModelTopicFormat.Kind.WINDOW);
        if (d.header().settings().type() != ModelType.BINARY) {
            assertTrue(chunks.isEmpty(), name + ": a softmax model with an AUC window");
            return;
        }
        final long version = d.header().version();
        final int window = d.window();
        final long oldest = version - Math.min(version, window) + 1;
        final TreeSet<Integer> expectedChunks = new TreeSet<>();
        for (long v = oldest; v <= version; v++) {
            expectedChunks.add(ModelTopicFormat.windowChunk(v));
        }
        final TreeSet<Integer> found = new TreeSet<>();
        final Map<Long, Boolean> labels = new TreeMap<>();
        for (final Map.Entry<ModelTopicFormat.Entry, byte[]> e : chunks) {
            final int number = e.getKey().number();
            final String what = name + ", chunk " + number;
            assertEquals(1, e.getValue()[0], what + ": format byte");
            found.add(number);
            final ModelTopicFormat.WindowChunk chunk = ModelTopicFormat.decodeWindow(e.getValue());
            assertEquals(number, ModelTopicFormat.windowChunk(chunk.firstVersion()), what + ": numbered by version");
            final int n = chunk.probabilities().length;
            assertTrue(n > 0 && n <= ModelTopicFormat.WINDOW_CHUNK, what + ": " + n + " entries");
            assertEquals(number, ModelTopicFormat.windowChunk(chunk.firstVersion() + n - 1), what + ": spills over");
            for (int i = 0; i < n; i++) {
                final long v = chunk.firstVersion() + i;
                assertTrue(v <= version, what + ": update " + v + " of a model at version " + version);
                assertTrue(v >= oldest || number == ModelTopicFormat.windowChunk(oldest),
                        what + ": update " + v + " is out of the window, in a chunk wholly out of it");
                assertTrue(chunk.present()[i], what + ": update " + v + " absent");
                final double p = chunk.probabilities()[i];
                assertTrue(p >= 0 && p <= 1, what + ": probability " + p);
                assertNull(labels.put(v, chunk.positives()[i]), what + ": update " + v + " twice");
            }
        }
        // the chunks of the window's updates, no chunk wholly out of it
        assertEquals(expectedChunks, found, name + ": the chunks");
        for (long v = oldest; v <= version; v++) {
            assertTrue(labels.containsKey(v), name + ": update " + v + " missing");
        }
        // the entry of update v holds the label of the v-th example
        labels.forEach((v, positive) -> assertEquals(
                d.golden().labels().get((int) (v - 1)).equals(d.header().classes().get(1)), positive,
                name + ": the label of update " + v));
        // read in the index space of exports: exactly the latest min(version, window) updates, by ring index
        final TreeSet<Integer> ring = new TreeSet<>();
        for (long v = oldest; v <= version; v++) {
            ring.add(ModelStateCodec.windowIndex(v, window));
        }
        final TreeSet<Integer> indexed = new TreeSet<>();
        for (final int index : indexed(d).keySet()) {
            if (index < 0 && !ModelStateCodec.isNames(index) && index != ModelStateCodec.HEADER_INDEX) {
                indexed.add(index);
            }
        }
        assertEquals(ring, indexed, name + ": the window read at its size");
    }

    private static SortedMap<Integer, byte[]> indexed(final Decoded d) {
        final Map<ModelTopicFormat.Key, byte[]> stored = new LinkedHashMap<>(d.entries());
        return ModelTopicFormat.indexed(stored, d.window());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void theProbesArePredictedToTheBit(final String name) {
        final Decoded d = load(name);
        // as a reader of the topic rebuilds the model: the blocks' rows and the model-wide rows loaded in order
        final ModelRows rows = new ModelRows();
        d.rows().forEach(rows::load);
        // as an export reads it, in the index space of layout 3, and as an import checks it
        final ModelSnapshot snapshot = ModelSnapshot.fromStored(indexed(d));
        assertEquals(d.header(), snapshot.model());
        assertSame(snapshot, snapshot.checkImport(Limits.DEFAULT, d.hashBits()));
        // as an import writes it again: its entries of layout 4, read back
        final Map<ModelTopicFormat.Key, byte[]> imported = new LinkedHashMap<>();
        for (final Map.Entry<byte[], byte[]> e : ModelTopicFormat.entries(d.golden().id(), indexed(d), d.hashBits(),
                d.window())) {
            imported.put(ModelTopicFormat.decodeKey(e.getKey()), e.getValue());
        }
        final ModelSnapshot reimported = ModelSnapshot.fromStored(ModelTopicFormat.indexed(imported, d.window()));
        for (final GoldenFile.Probe probe : d.golden().probes()) {
            final String what = name + ", probe " + probe.text();
            final var served = OnlineLogisticRegression.predict(d.header(), probe.vector(d.header().settings()), rows);
            assertEquals(d.header().version(), served.version(), what);
            assertBits(probe.probabilities(), served.probabilities(), what);
            assertBits(probe.probabilities(), OnlineLogisticRegression.predict(snapshot.model(),
                    probe.vector(snapshot.model().settings()), snapshot.weights()).probabilities(), what + " (export)");
            assertBits(probe.probabilities(), OnlineLogisticRegression.predict(reimported.model(),
                    probe.vector(reimported.model().settings()), reimported.weights()).probabilities(), what + " (import)");
        }
    }

    @Test
    void aSoftmaxRowWrittenBeforeAClassWasAddedIsShorter() {
        final Decoded d = load("layout4/softmax-ftrl-class-added.txt");
        final int full = d.header().classes().size() * 2; // FTRL: z and n per class
        final long shorter = d.rows().values().stream().filter(r -> r.slots().length < full).count();
        assertTrue(shorter > 0, "no row of fewer than " + full + " slots");
        assertTrue(d.rows().values().stream().allMatch(r -> r.slots().length <= full));
    }

    @Test
    void blocksOfTwentyFourBitsHoldSeveralRows() {
        final Decoded d = load("layout4/binary-ftrl-24-bits-shared-blocks.txt");
        assertTrue(d.of(ModelTopicFormat.Kind.ROWS).stream()
                .filter(e -> ModelTopicFormat.decodeRows(e.getValue()).size() > 1).count() >= 2);
    }

    /**
     * Every strict prefix of every block of rows, block of names and window chunk is refused with
     * an IllegalArgumentException that says the value is corrupt or that a count does not fit in
     * the bytes left.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layout4Files")
    void aTruncatedBlockIsRefused(final String name) {
        final Decoded d = load(name);
        d.entries().forEach((key, value) -> {
            final String corrupt = switch (key.kind()) {
                case ROWS -> "corrupt block of rows";
                case NAMES -> "corrupt block of names";
                case WINDOW -> "corrupt AUC-window chunk";
                default -> null;
            };
            if (corrupt == null) {
                return;
            }
            for (int length = 0; length < value.length; length++) {
                final byte[] truncated = Arrays.copyOf(value, length);
                final String what = name + ", " + key + " cut to " + length + " of " + value.length + " bytes";
                final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> {
                    switch (key.kind()) {
                        case ROWS -> ModelTopicFormat.decodeRows(truncated);
                        case NAMES -> ModelTopicFormat.decodeNamesBlock(truncated);
                        default -> ModelTopicFormat.decodeWindow(truncated);
                    }
                }, what);
                assertEquals(IllegalArgumentException.class, refused.getClass(), what);
                final String message = String.valueOf(refused.getMessage());
                assertTrue(message.startsWith(corrupt) || message.matches(
                        "a count of -?\\d+ items does not fit in the \\d+ bytes that remain"), what + ": " + message);
            }
        });
    }
}
