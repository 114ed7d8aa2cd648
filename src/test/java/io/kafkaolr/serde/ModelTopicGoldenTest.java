package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.core.WeightRow;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model topic is a public contract: entries written by every released format must stay
 * readable, and a model must go on predicting exactly what it predicted when it was written.
 * The golden files under {@code src/test/resources/model-topic/v<format>/} hold model-topic
 * entries written by the real encoders of the commits that wrote formats 1, 2 and 3, with the
 * probabilities that code predicted for three probes (docs/MODEL-TOPIC.md, "Golden files").
 * Each is decoded with today's {@link ModelStateCodec} and rebuilt as the application rebuilds a
 * model it reads (decoded header, rows loaded into a {@link ModelRows}, the core's predict), and
 * the probes must come out equal to the bit. Formats newer than this code and truncated values
 * are refused with an {@link IllegalArgumentException} that says why. These files hold the
 * entries of layout 3 (one entry per row); those of layout 4 ({@code layout4/}) are read by
 * {@link ModelTopicLayout4GoldenTest}.
 */
class ModelTopicGoldenTest {
    /**
     * Every golden file of layout 3, by format directory; {@link #everyGoldenFileIsListed} keeps
     * this and {@link ModelTopicLayout4GoldenTest#LAYOUT4} complete.
     */
    private static final List<String> GOLDEN = List.of(
            "v1/binary-sgd-constant-l2-topology.txt",
            "v1/binary-sgd-invscaling-l2.txt",
            "v1/softmax-sgd-constant-l2.txt",
            "v2/binary-adagrad-defaults-auc-window.txt",
            "v2/binary-adagrad-normalized.txt",
            "v2/binary-sgd-l1-l2-normalized.txt",
            "v2/softmax-asgd-normalized.txt",
            "v2/softmax-ftrl.txt",
            "v3/binary-ftrl-defaults-auc-window.txt",
            "v3/binary-rls.txt",
            "v3/binary-sgd-minibatch-scale.txt",
            "v3/softmax-adagrad-minibatch-none.txt",
            "v3/softmax-ftrl-defaults.txt");

    /**
     * The newest format this code writes (rows, and the headers of models without feature
     * crosses): the golden files must include it.
     */
    private static final int NEWEST_FORMAT = 3;
    /**
     * The newest header format this code reads: format 3 with the model's feature crosses, written
     * only for a model that has some (its golden file is of layout 4, layout4/binary-ftrl-crosses.txt).
     */
    static final int NEWEST_HEADER_FORMAT = 4;


    /** One model-topic entry of a golden file: the key and value bytes, and the key decoded. */
    private record Entry(byte[] key, byte[] value, ModelStateCodec.Key decoded) {
        int index() {
            return decoded.index();
        }
    }

    /**
     * A golden file: its format, the fields its header must decode to, the labels of the examples
     * learned (in order), its entries (in topic order) and its probes.
     */
    private record Golden(String name, int format, Map<String, String> model, List<String> labels,
                          List<Entry> entries, List<GoldenFile.Probe> probes) {
        String id() {
            return model.get("id");
        }

        Entry header() {
            return entries.stream().filter(e -> e.decoded().isHeader()).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " has no header entry"));
        }

        List<Entry> rows() {
            return entries.stream().filter(e -> ModelStateCodec.isRow(e.index())).toList();
        }

        List<Entry> names() {
            return entries.stream().filter(e -> ModelStateCodec.isNames(e.index())).toList();
        }

        List<Entry> window() {
            return entries.stream().filter(e -> !e.decoded().isHeader() && !ModelStateCodec.isRow(e.index())
                    && !ModelStateCodec.isNames(e.index())).toList();
        }

        /** Index to value, as a reader of the model's key range holds them. */
        Map<Integer, byte[]> stored() {
            final Map<Integer, byte[]> stored = new TreeMap<>();
            entries.forEach(e -> stored.put(e.index(), e.value()));
            return stored;
        }
    }

    static Stream<String> goldenFiles() {
        return GOLDEN.stream();
    }

    /** The golden file {@code name}, its keys decoded in the earlier layout. */
    private static Golden load(final String name) {
        final GoldenFile file = GoldenFile.load(name);
        final int format = Integer.parseInt(name.substring(1, name.indexOf('/')));
        final List<Entry> entries = file.entries().stream()
                .map(e -> new Entry(e.key(), e.value(), ModelStateCodec.decodeKey(e.key()))).toList();
        return new Golden(name, format, file.model(), file.labels(), entries, file.probes());
    }

    private static SparseVector vector(final ModelState model, final Features features) {
        return new FeatureHasher(model.settings().hashBits()).vectorize(features, Limits.DEFAULT.features(),
                model.settings().interactions());
    }

    @Test
    void everyGoldenFileIsListed() throws IOException, URISyntaxException {
        final URL root = ModelTopicGoldenTest.class.getResource("/model-topic");
        assertNotNull(root, "no model-topic golden files on the test class path");
        final Path dir = Path.of(root.toURI());
        final TreeSet<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> found.add(dir.relativize(f).toString().replace('\\', '/')));
        }
        final TreeSet<String> listed = new TreeSet<>(GOLDEN);
        listed.addAll(ModelTopicLayout4GoldenTest.LAYOUT4);
        assertEquals(listed, found, "golden files present but not tested, or listed but missing");
    }

    @Test
    void theNewestFormatWrittenHasGoldenFiles() {
        // a new format must come with golden files of its own (and this test's NEWEST_FORMAT raised)
        final ModelState fresh = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT));
        assertEquals(NEWEST_FORMAT, ModelStateCodec.encodeHeader(fresh)[0]);
        assertEquals(NEWEST_FORMAT, ModelState.FORMAT_VERSION);
        final WeightRow row = new WeightRow(1, new double[2], 1, 1, new double[] {0.5});
        assertEquals(NEWEST_FORMAT, ModelStateCodec.encodeRow(row)[0]);
        for (int format = 1; format <= NEWEST_FORMAT; format++) {
            final String prefix = "v" + format + "/";
            assertTrue(GOLDEN.stream().anyMatch(g -> g.startsWith(prefix)), "no golden file of format " + format);
        }
        // the header format of a model with feature crosses has a golden file of layout 4
        final ModelState crossed = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT)
                .withInteractions(io.kafkaolr.core.Interactions.parse("a:b")));
        assertEquals(NEWEST_HEADER_FORMAT, ModelStateCodec.encodeHeader(crossed)[0]);
        assertTrue(ModelTopicLayout4GoldenTest.LAYOUT4.stream().anyMatch(name -> GoldenFile.load(name).entries()
                .stream().anyMatch(e -> ModelTopicFormat.decodeKey(e.key()).isHeader()
                        && e.value()[0] == NEWEST_HEADER_FORMAT)), "no golden file of header format " + NEWEST_HEADER_FORMAT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void everyEntryDecodes(final String name) {
        final Golden g = load(name);
        final ModelState header = ModelStateCodec.decodeHeader(g.header().value());
        final int rowsOfHashing = 1 << header.settings().hashBits();
        final int window = Integer.parseInt(g.model().getOrDefault("auc_window", "0"));
        for (final Entry e : g.entries()) {
            final String what = name + ", entry " + e.index();
            // keys: the model id, a zero byte, the index; encoded again to the same bytes
            assertEquals(g.id(), e.decoded().modelId(), what);
            assertTrue(ModelStateCodec.isModelKey(e.key()), what);
            assertArrayEquals(ModelStateCodec.key(g.id(), e.index()), e.key(), what);
            assertArrayEquals(ModelStateCodec.modelPrefix(g.id()),
                    Arrays.copyOf(e.key(), e.key().length - Integer.BYTES), what);
            if (e.decoded().isHeader()) {
                assertEquals(g.format(), e.value()[0], what + ": the header's format byte");
                assertEquals(g.id(), ModelStateCodec.headerModelId(e.key()), what);
            } else if (ModelStateCodec.isRow(e.index())) {
                assertEquals(g.format(), e.value()[0], what + ": the row's format byte");
                assertTrue(e.index() < rowsOfHashing || e.index() == FeatureHasher.FIRST_MODEL_ROW,
                        what + " is outside the model's rows");
                assertNotNull(ModelStateCodec.decodeRow(e.value()), what);
                assertNull(ModelStateCodec.headerModelId(e.key()), what);
            } else if (ModelStateCodec.isNames(e.index())) {
                final int row = ModelStateCodec.namedRow(e.index());
                assertEquals(e.index(), ModelStateCodec.namesIndex(row), what);
                assertFalse(ModelStateCodec.decodeNames(e.value()).isEmpty(), what);
            } else {
                // an AUC-window entry: the progressive probability of the positive class, and the label
                assertTrue(window > 0, what + ": a window entry in a file without auc_window");
                assertTrue(e.index() <= -2 && e.index() >= -1 - window, what + " is outside the window's indices");
                assertTrue(ModelStateCodec.isWindowEntry(e.value()), what);
                final double p = ModelStateCodec.windowProbability(e.value());
                assertTrue(p >= 0 && p <= 1, what + ": probability " + p);
                assertTrue(e.value()[8] == 0 || e.value()[8] == 1, what + ": label byte " + e.value()[8]);
            }
        }
        // the whole model, as an export reads it and as an import checks it
        final ModelSnapshot snapshot = ModelSnapshot.fromStored(g.stored());
        assertEquals(header, snapshot.model());
        assertSame(snapshot, snapshot.checkImport(Limits.DEFAULT, header.settings().hashBits()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void theHeaderIsTheWritersModel(final String name) {
        final Golden g = load(name);
        final Map<String, String> m = g.model();
        final ModelState header = ModelStateCodec.decodeHeader(g.header().value());
        final ModelSettings s = header.settings();
        assertEquals(m.get("type"), s.type().name(), "type");
        assertEquals(List.of(m.get("classes").split(",")), header.classes(), "classes");
        // the version is the number of examples learned
        assertEquals(Long.parseLong(m.get("version")), header.version(), "version");
        assertEquals(Long.parseLong(m.get("examples")), header.metrics().examples(), "examples");
        assertEquals(header.version(), header.metrics().examples(), "one update per example");
        assertEquals(g.labels().size(), header.version(), "the examples learned");
        for (int k = 0; k < header.classes().size(); k++) {
            final String label = header.classes().get(k);
            final long count = g.labels().stream().filter(label::equals).count();
            // format 1 kept no class counts: they read as zeros
            assertEquals(g.format() == 1 ? 0 : count, header.classCounts()[k], "the count of class " + label);
        }
        GoldenFile.assertSettings(m, s);
        assertEquals(Integer.parseInt(m.get("rows")), g.rows().size(), "rows");
        // the header is the last entry: each commit writes a model's changed entries, then its header
        assertTrue(g.entries().get(g.entries().size() - 1).decoded().isHeader(), "the header is not last");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void theProbesArePredictedToTheBit(final String name) {
        final Golden g = load(name);
        // as the scoring side rebuilds a model (ServedModels): the header decoded, the rows decoded into a ModelRows
        final ModelState header = ModelStateCodec.decodeHeader(g.header().value());
        final ModelRows rows = new ModelRows();
        for (final Entry e : g.rows()) {
            rows.load(e.index(), ModelStateCodec.decodeRow(e.value()));
        }
        // as an export or import reads it (ModelSnapshot)
        final ModelSnapshot snapshot = ModelSnapshot.fromStored(g.stored());
        for (final GoldenFile.Probe probe : g.probes()) {
            final String what = name + ", probe " + probe.text();
            final ModelOutput served = OnlineLogisticRegression.predict(header, vector(header, probe.features()), rows);
            assertEquals(header.version(), served.version(), what);
            assertBits(probe.probabilities(), served.probabilities(), what);
            final ModelOutput exported = OnlineLogisticRegression.predict(snapshot.model(),
                    vector(snapshot.model(), probe.features()), snapshot.weights());
            assertBits(probe.probabilities(), exported.probabilities(), what + " (snapshot)");
        }
    }

    private static void assertBits(final double[] expected, final double[] actual, final String what) {
        assertEquals(expected.length, actual.length, what + ": number of classes");
        for (int k = 0; k < expected.length; k++) {
            assertEquals(Double.doubleToLongBits(expected[k]), Double.doubleToLongBits(actual[k]),
                    what + ": class " + k + " expected " + expected[k] + ", got " + actual[k]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void namesEntriesNameTheirRows(final String name) {
        final Golden g = load(name);
        final ModelState header = ModelStateCodec.decodeHeader(g.header().value());
        final FeatureHasher hasher = new FeatureHasher(header.settings().hashBits());
        final Map<Integer, byte[]> stored = g.stored();
        for (final Entry e : g.names()) {
            final int row = ModelStateCodec.namedRow(e.index());
            assertTrue(stored.containsKey(row), name + ": names for row " + row + ", which has no entry");
            for (final String feature : ModelStateCodec.decodeNames(e.value())) {
                assertEquals(row, hasher.index(feature), name + ": '" + feature + "' does not hash to row " + row);
            }
        }
        if (g.format() == NEWEST_FORMAT) {
            // the processor names every feature row it creates (olr.model.feature-names, true by default)
            final long featureRows = g.rows().stream().filter(e -> e.index() < FeatureHasher.FIRST_MODEL_ROW).count();
            assertEquals(featureRows, g.names().size(), name + ": feature rows without names");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void theAucWindowHoldsTheLatestUpdates(final String name) {
        final Golden g = load(name);
        final ModelState header = ModelStateCodec.decodeHeader(g.header().value());
        final int window = Integer.parseInt(g.model().getOrDefault("auc_window", "0"));
        final TreeSet<Integer> expected = new TreeSet<>();
        if (window > 0 && header.settings().type() == ModelType.BINARY) {
            for (long v = Math.max(1, header.version() - window + 1); v <= header.version(); v++) {
                expected.add(ModelStateCodec.windowIndex(v, window));
            }
        }
        final TreeSet<Integer> found = new TreeSet<>();
        g.window().forEach(e -> found.add(e.index()));
        assertEquals(expected, found, name + ": the window's indices");
        // the entry of update v holds the label of the v-th example: the ring is in update order
        final Map<Integer, byte[]> stored = g.stored();
        for (long v = Math.max(1, header.version() - window + 1); window > 0 && v <= header.version(); v++) {
            final byte[] entry = stored.get(ModelStateCodec.windowIndex(v, window));
            if (entry != null) {
                final boolean positive = g.labels().get((int) v - 1).equals(header.classes().get(1));
                assertEquals(positive, ModelStateCodec.windowPositive(entry), name + ": the window entry of update " + v);
            }
        }
    }

    // ---- what this code refuses

    private static byte[] withFormat(final byte[] value, final int format) {
        final byte[] copy = value.clone();
        copy[0] = (byte) format;
        return copy;
    }

    private static Golden newest() {
        return load("v3/binary-ftrl-defaults-auc-window.txt");
    }

    @ParameterizedTest(name = "format {0}")
    @ValueSource(ints = {5, 127})
    void aHeaderOfANewerFormatIsRefused(final int format) {
        final byte[] header = withFormat(newest().header().value(), format);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelStateCodec.decodeHeader(header));
        assertTrue(e.getMessage().contains("model header has format version " + format), e.getMessage());
        assertTrue(e.getMessage().contains("reads versions 1 to " + NEWEST_HEADER_FORMAT), e.getMessage());
    }

    @ParameterizedTest(name = "format {0}")
    @ValueSource(ints = {4, 127})
    void aRowOfANewerFormatIsRefused(final int format) {
        final byte[] row = withFormat(newest().rows().get(0).value(), format);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelStateCodec.decodeRow(row));
        assertTrue(e.getMessage().contains("weight row has format version " + format), e.getMessage());
        assertTrue(e.getMessage().contains("reads versions 1 to " + NEWEST_FORMAT), e.getMessage());
    }

    @ParameterizedTest(name = "format {0}")
    @ValueSource(ints = {0, -1})
    void aFormatNeverWrittenIsRefused(final int format) {
        final Golden g = newest();
        final byte[] header = withFormat(g.header().value(), format);
        final byte[] row = withFormat(g.rows().get(0).value(), format);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelStateCodec.decodeHeader(header))
                .getMessage().contains("format version " + format));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelStateCodec.decodeRow(row))
                .getMessage().contains("format version " + format));
    }

    /**
     * Every strict prefix of every header, row and names entry of every golden file (the empty
     * value included) is refused with an IllegalArgumentException that says the value is corrupt
     * or that a count does not fit in the bytes left: never another exception, never a partial
     * value, never an allocation from a count the bytes cannot back.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void aTruncatedValueIsRefused(final String name) {
        final Golden g = load(name);
        for (final Entry e : g.entries()) {
            final boolean header = e.decoded().isHeader();
            final boolean row = ModelStateCodec.isRow(e.index());
            final boolean names = ModelStateCodec.isNames(e.index());
            if (!header && !row && !names) {
                continue; // window entries have no format byte: their readers check their size
            }
            for (int length = 0; length < e.value().length; length++) {
                final byte[] truncated = Arrays.copyOf(e.value(), length);
                final String what = name + ", entry " + e.index() + " cut to " + length + " of " + e.value().length
                        + " bytes";
                final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> {
                    if (header) {
                        ModelStateCodec.decodeHeader(truncated);
                    } else if (row) {
                        ModelStateCodec.decodeRow(truncated);
                    } else {
                        ModelStateCodec.decodeNames(truncated);
                    }
                }, what);
                assertEquals(IllegalArgumentException.class, refused.getClass(), what);
                final String message = String.valueOf(refused.getMessage());
                assertTrue(message.startsWith(header ? "corrupt model header" : row ? "corrupt weight row"
                        : "corrupt names entry") || message.matches("a count of -?\\d+ items does not fit in the \\d+ "
                        + "bytes that remain"), what + ": " + message);
            }
        }
    }

    @Test
    void aTruncatedRowSaysHowManyBytesItHad() {
        final byte[] row = newest().rows().get(0).value();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelStateCodec.decodeRow(Arrays.copyOf(row, 12)));
        assertEquals("corrupt weight row: 12 bytes end too soon", e.getMessage());
    }
}
