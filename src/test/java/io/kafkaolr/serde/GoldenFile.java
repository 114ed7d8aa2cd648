package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.SparseVector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A golden file of the model topic ({@code src/test/resources/model-topic/}, docs/MODEL-TOPIC.md,
 * "Golden files"), read as text: its model line, the labels of its examples, its entries (key
 * and value bytes, in the order of their last writes) and its probes. Shared by the tests that
 * read the golden files of either layout.
 */
public record GoldenFile(String name, Map<String, String> model, List<String> labels, List<Entry> entries,
                         List<Probe> probes) {
    private static final HexFormat HEX = HexFormat.of();

    /** A model-topic entry: key and value bytes. */
    public record Entry(byte[] key, byte[] value) {
    }

    /** A probe: its features as written, and the writer's probability of each class, in class order. */
    public record Probe(String text, Features features, double[] probabilities) {
        /** The probe hashed as scoring hashes an event for a model with {@code settings} (its bits, its crosses). */
        public SparseVector vector(final io.kafkaolr.core.ModelSettings settings) {
            return new FeatureHasher(settings.hashBits()).vectorize(features, Limits.DEFAULT.features(),
                    settings.interactions());
        }
    }

    /** The model id. */
    public String id() {
        return model.get("id");
    }

    /** The processor's AUC window the file was written with ({@code auc_window}), or {@code otherwise}. */
    public int aucWindow(final int otherwise) {
        return Integer.parseInt(model.getOrDefault("auc_window", Integer.toString(otherwise)));
    }

    /** Reads {@code /model-topic/<name>} from the test class path. */
    public static GoldenFile load(final String name) {
        final List<String> lines;
        try (InputStream in = GoldenFile.class.getResourceAsStream("/model-topic/" + name)) {
            assertNotNull(in, "no golden file " + name);
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> model = null;
        final List<String> labels = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();
        final List<Probe> probes = new ArrayList<>();
        for (final String line : lines) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final String[] t = line.split(" ");
            switch (t[0]) {
                case "model" -> {
                    model = new LinkedHashMap<>();
                    for (int i = 1; i < t.length; i++) {
                        final int eq = t[i].indexOf('=');
                        model.put(t[i].substring(0, eq), t[i].substring(eq + 1));
                    }
                }
                case "example" -> {
                    features(t[1]);
                    labels.add(t[2]);
                }
                case "entry" -> entries.add(new Entry(HEX.parseHex(t[1]), HEX.parseHex(t[2])));
                case "probe" -> probes.add(new Probe(t[1], features(t[1]),
                        Arrays.stream(t, 2, t.length).mapToDouble(Double::parseDouble).toArray()));
                default -> fail(name + ": unknown line '" + line + "'");
            }
        }
        assertNotNull(model, name + " has no model line");
        assertFalse(entries.isEmpty(), name + " has no entries");
        assertEquals(3, probes.size(), name + " has not three probes");
        return new GoldenFile(name, model, labels, entries, probes);
    }

    /** Asserts that {@code settings} are those of the {@code model} line of a golden file. */
    public static void assertSettings(final Map<String, String> model, final io.kafkaolr.core.ModelSettings settings) {
        assertEquals(Integer.parseInt(model.get("hash_bits")), settings.hashBits(), "hash bits");
        assertEquals(model.get("optimizer"), settings.optimizer().name(), "optimizer");
        assertEquals(model.get("schedule"), settings.schedule().name(), "schedule");
        assertEquals(Double.parseDouble(model.get("learning_rate")), settings.learningRate(), 0.0, "learning rate");
        assertEquals(Double.parseDouble(model.get("power_t")), settings.powerT(), 0.0, "power_t");
        assertEquals(Double.parseDouble(model.get("l1")), settings.l1(), 0.0, "l1");
        assertEquals(Double.parseDouble(model.get("l2")), settings.l2(), 0.0, "l2");
        assertEquals(model.get("normalization"), settings.normalization().name(), "normalization");
        assertEquals(Integer.parseInt(model.get("batch_size")), settings.batchSize(), "batch size");
        // files written before feature crosses have no interactions field: none
        assertEquals(model.getOrDefault("interactions", ""), settings.interactions().spec(), "interactions");
    }

    /** The golden files under {@code /model-topic/<dir>/}, as names relative to {@code /model-topic/}, sorted. */
    public static List<String> under(final String dir) {
        final TreeSet<String> found = new TreeSet<>();
        all().stream().filter(f -> f.startsWith(dir + "/")).forEach(found::add);
        return List.copyOf(found);
    }

    /** Every file under {@code /model-topic/}, relative to it. */
    public static TreeSet<String> all() {
        try {
            final URL root = GoldenFile.class.getResource("/model-topic");
            assertNotNull(root, "no model-topic golden files on the test class path");
            final Path dir = Path.of(root.toURI());
            final TreeSet<String> found = new TreeSet<>();
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile)
                        .forEach(f -> found.add(dir.relativize(f).toString().replace('\\', '/')));
            }
            return found;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n:<name>=<number>} numeric, {@code c:<name>=<value>} categorical, separated by {@code ;}, in order. */
    static Features features(final String text) {
        final Map<String, Double> numeric = new LinkedHashMap<>();
        final Map<String, String> categorical = new LinkedHashMap<>();
        for (final String token : text.split(";")) {
            final int eq = token.indexOf('=');
            final String name = token.substring(2, eq);
            final String value = token.substring(eq + 1);
            if (token.startsWith("n:")) {
                numeric.put(name, Double.parseDouble(value));
            } else if (token.startsWith("c:")) {
                categorical.put(name, value);
            } else {
                fail("not a feature: " + token);
            }
        }
        return new Features(numeric, categorical);
    }

    /** Asserts {@code actual} equal to {@code expected} to the bit, class by class. */
    public static void assertBits(final double[] expected, final double[] actual, final String what) {
        assertEquals(expected.length, actual.length, what + ": number of classes");
        for (int k = 0; k < expected.length; k++) {
            assertEquals(Double.doubleToLongBits(expected[k]), Double.doubleToLongBits(actual[k]),
                    what + ": class " + k + " expected " + expected[k] + ", got " + actual[k]);
        }
    }
}
