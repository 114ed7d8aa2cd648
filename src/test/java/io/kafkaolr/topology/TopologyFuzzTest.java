package io.kafkaolr.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelAction;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelEntry;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.StoreEntries;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Property-based fuzzing of the whole topology through TopologyTestDriver, in both formats:
 * labeled examples, events and control commands (imports and deletes), well formed with boundary
 * numbers and sizes, as random and mutated bytes, and as imports of mutated stored models.
 *
 * <p>About 122,000 records per run: 120 tries of up to 1,300 records, 50 of up to 1,000, 40 of up to
 * 700 and 20 of up to 500 (sizes uniform: 122,000 on average, with a standard deviation of 4,800), at
 * least {@value #MIN_RECORDS} asserted to have been piped ({@link #enoughRecordsWerePiped}); sized for
 * about 30 s on two cores when every property holds. Every try builds a new topology (its format and
 * new models' settings drawn too) and pipes its records one by one; after each record and each batch
 * these properties are checked:
 * <ol>
 *   <li>no exception escapes {@code pipeInput} (nor the metrics punctuation);</li>
 *   <li>every record has exactly one outcome: an example is learned (examples-learned goes up by
 *       one and so does its model's version in the training store) or yields exactly one dead
 *       letter; an event yields exactly one prediction or exactly one dead letter; a command is
 *       applied (commands-applied goes up by one) or yields exactly one dead letter;</li>
 *   <li>no double of any stored entry (weights, optimizer state, bias, statistics, progressive
 *       metrics, AUC-window probabilities) is NaN or infinite: every model-topic record is decoded
 *       as it is written, and every entry of the training store after each batch;</li>
 *   <li>no output exceeds its bound: a dead letter {@value #MAX_DEAD_LETTER_BYTES} bytes in Avro (a
 *       prefix of at most 64 KiB of the original value and 1 KiB of its key, its reason and detail;
 *       in JSON the bytes are base64, {@value #MAX_JSON_DEAD_LETTER_BYTES} bytes); a prediction, a metrics record and a
 *       model-topic entry {@value #MAX_OUTPUT_BYTES} bytes.</li>
 * </ol>
 */
class TopologyFuzzTest {
    static final int MIN_RECORDS = 100_000;
    static final int MAX_DEAD_LETTER_BYTES = 70_000;
    static final int MAX_JSON_DEAD_LETTER_BYTES = 93_000;
    static final int MAX_OUTPUT_BYTES = 1_000_000;
    /** Records between two checks of the whole store (and wall-clock punctuations, which publish metrics). */
    static final int BATCH = 1_000;
    static final int HASH_BITS = 12;

    private static final AtomicLong PIPED = new AtomicLong();
    private static final AtomicLong TRIES = new AtomicLong();
    private static final Set<String> PROPERTIES_RUN = ConcurrentHashMap.newKeySet();
    private static volatile boolean anyFailed;
    private static final int PROPERTIES = 4;
    private static final Path STATE_DIR;

    static {
        try {
            STATE_DIR = Files.createTempDirectory("olr-fuzz");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- properties

    /** Examples, events, deletes and valid re-imports, well formed, with boundary numbers and modest sizes. */
    @Property(tries = 50, edgeCases = EdgeCasesMode.NONE)
    void wellFormedRecordsWithBoundaryValues(@ForAll("settings") final TrySettings settings,
                                             @ForAll("wellFormedInputs") final List<Input> inputs) {
        check("wellFormedRecordsWithBoundaryValues", settings, inputs);
    }

    /** Random bytes, bit flips, truncations, trailing garbage, hand-written JSON, null keys and values, wrong keys. */
    @Property(tries = 120, edgeCases = EdgeCasesMode.NONE)
    void randomAndMutatedBytes(@ForAll("settings") final TrySettings settings,
                               @ForAll("byteInputs") final List<Input> inputs) {
        check("randomAndMutatedBytes", settings, inputs);
    }

    /** Imports whose entries are stored or fresh models with mutated headers, rows and entries, among examples and events. */
    @Property(tries = 40, edgeCases = EdgeCasesMode.NONE)
    void importsOfMutatedModels(@ForAll("settings") final TrySettings settings,
                                @ForAll("importInputs") final List<Input> inputs) {
        check("importsOfMutatedModels", settings, inputs);
    }

    /** Long strings and labels, many distinct labels (softmax models), thousands of features, records over the size limit. */
    @Property(tries = 20, edgeCases = EdgeCasesMode.NONE)
    void largeRecordsAndManyClasses(@ForAll("largeSettings") final TrySettings settings,
                                    @ForAll("largeInputs") final List<Input> inputs) {
        check("largeRecordsAndManyClasses", settings, inputs);
    }

    /** The test's writers of headers and rows (which can lie about counts) write what the codec writes. */
    @Example
    void theFuzzersHeaderAndRowWritersMirrorTheCodec() {
        for (final String optimizer : List.of("sgd", "asgd", "adagrad", "ftrl", "rls", "nag")) {
            for (final String type : List.of("binary", "softmax")) {
                final TrySettings settings = new TrySettings(RecordFormat.AVRO, type, optimizer, "standardize",
                        optimizer.equals("rls") || optimizer.equals("nag") ? 1 : 2);
                try (Run run = new Run(settings)) {
                    for (int i = 0; i < 5; i++) {
                        run.pipe(i, new ExampleIn(KeySpec.MODEL, "m", Map.of("x", i - 2.0, "y", 1.0 + i),
                                Map.of("c", "v" + i), i % 2 == 0 ? "1" : "0", 1.0, null, null));
                    }
                    final Map<Integer, byte[]> stored = StoreEntries.of(run.h.weightsStore(), "m");
                    assertFalse(stored.isEmpty());
                    stored.forEach((index, bytes) -> {
                        if (index == ModelStateCodec.HEADER_INDEX) {
                            assertArrayEquals(bytes, HeaderFields.of(ModelStateCodec.decodeHeader(bytes)).encode(),
                                    settings + ": header");
                        } else if (ModelStateCodec.isRow(index)) {
                            assertArrayEquals(bytes, RowFields.of(ModelStateCodec.decodeRow(bytes)).encode(),
                                    settings + ": row " + index);
                        }
                    });
                }
            }
        }
    }

    @AfterContainer
    static void enoughRecordsWerePiped() throws IOException {
        try (Stream<Path> files = Files.walk(STATE_DIR)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        // the count, for the record (the test prints nothing)
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "topology-fuzz.txt"), PIPED.get() + " records piped in " + TRIES.get()
                + " tries\n");
        // only when every property ran (a single property may be run by name), and held: a failing
        // property stops at its first counterexample
        if (PROPERTIES_RUN.size() == PROPERTIES && !anyFailed && PIPED.get() < MIN_RECORDS) {
            throw new AssertionError("only " + PIPED.get() + " records were piped in " + TRIES.get()
                    + " tries, fewer than " + MIN_RECORDS);
        }
    }

    private static void check(final String property, final TrySettings settings, final List<Input> inputs) {
        PROPERTIES_RUN.add(property);
        TRIES.incrementAndGet();
        try (Run run = new Run(settings)) {
            for (int i = 0; i < inputs.size(); i++) {
                run.pipe(i, inputs.get(i));
                if ((i + 1) % BATCH == 0) {
                    run.batchEnd(i);
                }
            }
            run.batchEnd(inputs.size() - 1);
        } catch (final AssertionError | RuntimeException e) {
            anyFailed = true;
            throw e;
        }
    }

    // ---------------------------------------------------------------- one try

    /** One topology under test, with the checks of every property. */
    private static final class Run implements AutoCloseable {
        final TrySettings settings;
        final TopologyHarness h;
        final RecordCodec<LabeledExample> exampleCodec;
        final RecordCodec<Event> eventCodec;
        final RecordCodec<ModelCommand> commandCodec;
        final Metric learned;
        final Metric applied;
        // the version of each model's header, by the stored array it was decoded from
        private final Map<ByteBuffer, Map.Entry<byte[], Long>> versions = new HashMap<>();
        private boolean failed;

        Run(final TrySettings settings) {
            this.settings = settings;
            this.h = new TopologyHarness(settings.topologyConfig(),
                    STATE_DIR.resolve("try-" + TRIES.get() + "-" + System.nanoTime()));
            this.exampleCodec = settings.format().codec(LabeledExample.class);
            this.eventCodec = settings.format().codec(Event.class);
            this.commandCodec = settings.format().codec(ModelCommand.class);
            this.learned = metric("examples-learned-total");
            this.applied = metric("commands-applied-total");
        }

        private Metric metric(final String name) {
            for (final Map.Entry<MetricName, ? extends Metric> e : h.driver.metrics().entrySet()) {
                if (e.getKey().group().equals("stream-olr-metrics") && e.getKey().name().equals(name)) {
                    return e.getValue();
                }
            }
            throw new IllegalStateException("no metric " + name);
        }

        private static double value(final Metric metric) {
            return ((Number) metric.metricValue()).doubleValue();
        }

        private TestInputTopic<byte[], byte[]> topic(final Topic topic) {
            return switch (topic) {
                case EXAMPLES -> h.examples;
                case EVENTS -> h.events;
                case CONTROL -> h.control;
            };
        }

        void pipe(final int position, final Input input) {
            final byte[] key = input.key();
            final byte[] value = input.value(this);
            // the failing input, described only if a property fails
            final Supplier<String> where = () -> "record #" + position + " " + input + " (value " + hex(value)
                    + ", key " + hex(key) + "), try " + settings;
            final Long versionBefore = input.topic() == Topic.EXAMPLES ? version(key) : null;
            final double learnedBefore = value(learned);
            final double appliedBefore = value(applied);
            PIPED.incrementAndGet();
            try {
                topic(input.topic()).pipeInput(key, value);
            } catch (final Throwable t) {
                escaped("property 1 (nothing escapes pipeInput)", where, t);
            }
            final List<TestRecord<byte[], byte[]>> letters = h.deadLetters.readRecordsToList();
            final List<TestRecord<byte[], byte[]>> predictions = h.predictions.readRecordsToList();
            final int learnedNow = (int) (value(learned) - learnedBefore);
            final int appliedNow = (int) (value(applied) - appliedBefore);
            checkOutputs(where, letters, predictions);

            final int dead = letters.size();
            final String outcome = "yielded " + dead + " dead letters " + reasons(letters) + ", "
                    + predictions.size() + " predictions, " + learnedNow + " examples learned, " + appliedNow
                    + " commands applied";
            final boolean one = switch (input.topic()) {
                case EXAMPLES -> predictions.isEmpty() && appliedNow == 0
                        && (learnedNow == 1 && dead == 0 || learnedNow == 0 && dead == 1);
                case EVENTS -> learnedNow == 0 && appliedNow == 0
                        && (predictions.size() == 1 && dead == 0 || predictions.isEmpty() && dead == 1);
                case CONTROL -> predictions.isEmpty() && learnedNow == 0
                        && (appliedNow == 1 && dead == 0 || appliedNow == 0 && dead == 1);
            };
            if (!one) {
                violated("property 2 (exactly one outcome per record)", where, outcome);
            }
            if (learnedNow == 1) {
                final Long after = version(key);
                if (after == null || versionBefore == null || versionBefore == Long.MAX_VALUE
                        || after != versionBefore + 1) {
                    violated("property 2 (a learned example adds one to its model's version)", where,
                            "learned, version " + versionBefore + " -> " + after);
                }
            }
        }

        private void violated(final String property, final Supplier<String> where, final String detail) {
            failed = true;
            throw new AssertionError(property + ": " + where.get() + ": " + detail);
        }

        private void escaped(final String property, final Supplier<String> where, final Throwable thrown) {
            failed = true;
            throw new AssertionError(property + ": " + where.get() + ": threw " + thrown, thrown);
        }

        /** The version in the header of the model whose id is {@code key} (0 if none), or null if it cannot be read. */
        private Long version(final byte[] key) {
            if (key == null) {
                return null;
            }
            final byte[] prefix = ByteBuffer.allocate(key.length + 1).put(key).put((byte) 0).array();
            final byte[] header = h.weightsStore().get(Bytes.wrap(ModelTopicFormat.key(prefix,
                    ModelTopicFormat.Kind.HEADER, 0)));
            if (header == null) {
                return 0L;
            }
            final ByteBuffer id = ByteBuffer.wrap(key);
            final Map.Entry<byte[], Long> cached = versions.get(id);
            if (cached != null && cached.getKey() == header) {
                return cached.getValue(); // the same stored array: decoded already
            }
            try {
                final long version = ModelStateCodec.decodeHeader(header).version();
                versions.put(id, Map.entry(header, version));
                return version;
            } catch (final RuntimeException | OutOfMemoryError e) {
                return null;
            }
        }

        private void checkOutputs(final Supplier<String> where, final List<TestRecord<byte[], byte[]>> letters,
                                  final List<TestRecord<byte[], byte[]>> predictions) {
            for (final TestRecord<byte[], byte[]> letter : letters) {
                bounded(where, "dead letter", letter.value(), settings.format() == RecordFormat.JSON
                        ? MAX_JSON_DEAD_LETTER_BYTES : MAX_DEAD_LETTER_BYTES);
            }
            for (final TestRecord<byte[], byte[]> prediction : predictions) {
                bounded(where, "prediction", prediction.value(), MAX_OUTPUT_BYTES);
            }
            for (final TestRecord<byte[], byte[]> entry : h.model.readRecordsToList()) {
                bounded(where, "model-topic entry", entry.value(), MAX_OUTPUT_BYTES);
                finite(where, "model-topic entry", entry.key(), entry.value());
            }
        }

        private void bounded(final Supplier<String> where, final String what, final byte[] value, final int limit) {
            if (value != null && value.length > limit) {
                violated("property 4 (bounded outputs)", where, "a " + what + " of " + value.length
                        + " bytes, more than " + limit);
            }
        }

        private void finite(final Supplier<String> where, final String what, final byte[] key, final byte[] value) {
            if (value == null) {
                return; // a tombstone
            }
            final String problem = StoredDoubles.problem(key, value);
            if (problem != null) {
                violated("property 3 (stored numbers finite)", where, what + " " + describeKey(key) + ": " + problem);
            }
        }

        /** The end of a batch: wall-clock time passes (metrics are published), every stored entry is checked. */
        void batchEnd(final int position) {
            final Supplier<String> where = () -> "the batch ending with record #" + position + ", try " + settings;
            try {
                h.driver.advanceWallClockTime(Duration.ofSeconds(11));
            } catch (final Throwable t) {
                escaped("property 1 (nothing escapes the metrics punctuation)", where, t);
            }
            for (final TestRecord<byte[], byte[]> metrics : h.metrics.readRecordsToList()) {
                bounded(where, "metrics record", metrics.value(), MAX_OUTPUT_BYTES);
            }
            checkOutputs(where, h.deadLetters.readRecordsToList(), h.predictions.readRecordsToList());
            try (KeyValueIterator<Bytes, byte[]> all = h.weightsStore().all()) {
                while (all.hasNext()) {
                    final KeyValue<Bytes, byte[]> entry = all.next();
                    bounded(where, "training-store entry", entry.value, MAX_OUTPUT_BYTES);
                    finite(where, "training-store entry", entry.key.get(), entry.value);
                }
            }
        }

        /** The stored entries of a model (the header last), for imports of stored models. */
        List<Map.Entry<Integer, byte[]>> stored(final String modelId) {
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>();
            Map.Entry<Integer, byte[]> header = null;
            for (final Map.Entry<Integer, byte[]> e : io.kafkaolr.testing.StoreEntries.of(h.weightsStore(), modelId)
                    .entrySet()) {
                if (e.getKey() == ModelStateCodec.HEADER_INDEX) {
                    header = e;
                } else {
                    out.add(e);
                }
            }
            if (header != null) {
                out.add(header);
            }
            return out;
        }

        @Override
        public void close() {
            try {
                h.close();
            } catch (final RuntimeException e) {
                if (!failed) {
                    throw e;
                }
            }
        }
    }

    private static String reasons(final List<TestRecord<byte[], byte[]>> letters) {
        return letters.stream().map(r -> r.headers().lastHeader(DeadLetters.REASON_HEADER))
                .map(hd -> hd == null ? "?" : new String(hd.value(), StandardCharsets.UTF_8)).toList().toString();
    }

    private static String describeKey(final byte[] key) {
        try {
            final ModelTopicFormat.Key k = ModelTopicFormat.decodeKey(key);
            return "(model " + abbrev(k.modelId()) + ", " + k + ")";
        } catch (final RuntimeException e) {
            return hex(key);
        }
    }

    /** The doubles of a stored entry, by kind, checked. */
    static final class StoredDoubles {
        private StoredDoubles() {
        }

        /** Why the entry is not a decodable entry with finite numbers, or null if it is. */
        static String problem(final byte[] key, final byte[] value) {
            final ModelTopicFormat.Key decoded;
            try {
                decoded = ModelTopicFormat.decodeKey(key);
            } catch (final RuntimeException e) {
                return "not a model key: " + e;
            }
            if (decoded == null) {
                return "not a model key";
            }
            if (decoded instanceof ModelTopicFormat.Entry e && e.kind() == ModelTopicFormat.Kind.WINDOW) {
                try {
                    final ModelTopicFormat.WindowChunk chunk = ModelTopicFormat.decodeWindow(value);
                    for (int i = 0; i < chunk.probabilities().length; i++) {
                        if (chunk.present()[i] && !Double.isFinite(chunk.probabilities()[i])) {
                            return "AUC-window probability " + chunk.probabilities()[i] + " of update "
                                    + (chunk.firstVersion() + i);
                        }
                    }
                    return null;
                } catch (final RuntimeException | OutOfMemoryError ex) {
                    return "cannot be decoded: " + ex;
                }
            }
            // a block as its rows: each checked as an entry of its own
            final List<Map.Entry<Integer, byte[]>> entries = new ArrayList<>();
            try {
                ModelTopicFormat.explode(decoded, value, Long.MAX_VALUE / 2, Integer.MAX_VALUE,
                        (index, bytes) -> entries.add(Map.entry(index, bytes)));
            } catch (final RuntimeException | OutOfMemoryError e) {
                return "cannot be decoded: " + e;
            }
            for (final Map.Entry<Integer, byte[]> e : entries) {
                final String problem = problem(e.getKey(), e.getValue());
                if (problem != null) {
                    return "entry " + e.getKey() + ": " + problem;
                }
            }
            return null;
        }

        private static String problem(final int index, final byte[] value) {
            try {
                if (index == ModelStateCodec.HEADER_INDEX) {
                    final ModelState m = ModelStateCodec.decodeHeader(value);
                    return firstNonFinite("clock", m.clock(), "bias", m.biasState(), "pending bias", m.pendingBias(),
                            "progressive metrics (weight, loss, correct)", new double[] {m.metrics().weightSum(),
                                    m.metrics().lossSum(), m.metrics().correctWeight()});
                }
                if (ModelStateCodec.isRow(index)) {
                    final WeightRow row = ModelStateCodec.decodeRow(value);
                    final boolean standardised = statisticsKept(value) > 1;
                    return firstNonFinite("clock", row.clock(), "slots", row.slots(), "pending", row.pending(),
                            "statistics (seen, sum of squares" + (standardised ? ", mean, squared deviations)" : ")"),
                            standardised ? new double[] {row.seen(), row.sumSquares(), row.mean(), row.squaredDeviations()}
                                    : new double[] {row.seen(), row.sumSquares()});
                }
                if (ModelStateCodec.isNames(index)) {
                    ModelStateCodec.decodeNames(value);
                    return null;
                }
                if (!ModelStateCodec.isWindowEntry(value)) {
                    return "an AUC-window entry of " + value.length + " bytes";
                }
                final double p = ModelStateCodec.windowProbability(value);
                return Double.isFinite(p) ? null : "AUC-window probability " + p;
            } catch (final RuntimeException | OutOfMemoryError e) {
                return "cannot be decoded: " + e;
            }
        }

        /** The statistics byte of a row of format 2 or 3: 2 when the mean and squared deviations are stored. */
        private static int statisticsKept(final byte[] row) {
            if (row[0] != 2 && row[0] != 3) {
                return 0;
            }
            return row[10 + 8 * row[9]];
        }

        private static String firstNonFinite(final Object... namedArrays) {
            for (int i = 0; i < namedArrays.length; i += 2) {
                final double[] values = (double[]) namedArrays[i + 1];
                for (int k = 0; k < values.length; k++) {
                    if (!Double.isFinite(values[k])) {
                        return namedArrays[i] + "[" + k + "] = " + values[k];
                    }
                }
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- inputs

    enum Topic { EXAMPLES, EVENTS, CONTROL }

    /** How a record is keyed. */
    enum KeySpec {
        /** By the model id (as examples and commands must be). */
        MODEL,
        NULL,
        EMPTY,
        OTHER;

        byte[] key(final String modelId) {
            return switch (this) {
                case MODEL -> utf8(modelId);
                case NULL -> null;
                case EMPTY -> new byte[0];
                case OTHER -> utf8("other-key");
            };
        }
    }

    /** One record, rendered in the try's format when piped. */
    interface Input {
        Topic topic();

        byte[] key();

        byte[] value(Run run);
    }

    record ExampleIn(KeySpec keySpec, String modelId, Map<String, Double> numeric, Map<String, String> categorical,
                     String label, double importance, String id, Long timestamp) implements Input {
        @Override
        public Topic topic() {
            return Topic.EXAMPLES;
        }

        @Override
        public byte[] key() {
            return keySpec.key(modelId);
        }

        @Override
        public byte[] value(final Run run) {
            return run.exampleCodec.encode(LabeledExample.newBuilder().setModelId(modelId).setNumericFeatures(numeric)
                    .setCategoricalFeatures(categorical).setLabel(label).setImportance(importance).setId(id)
                    .setTimestamp(timestamp == null ? null : Instant.ofEpochMilli(timestamp)).build());
        }

        @Override
        public String toString() {
            return "Example{key " + keySpec + ", model " + abbrev(modelId) + ", numeric " + abbrev(numeric)
                    + ", categorical " + abbrev(categorical) + ", label " + abbrev(label) + ", importance "
                    + importance + (id == null ? "" : ", id " + abbrev(id))
                    + (timestamp == null ? "" : ", timestamp " + timestamp) + "}";
        }
    }

    record EventIn(KeySpec keySpec, String id, String modelId, Map<String, Double> numeric,
                   Map<String, String> categorical) implements Input {
        @Override
        public Topic topic() {
            return Topic.EVENTS;
        }

        @Override
        public byte[] key() {
            return keySpec.key(modelId);
        }

        @Override
        public byte[] value(final Run run) {
            return run.eventCodec.encode(Event.newBuilder().setId(id).setModelId(modelId).setNumericFeatures(numeric)
                    .setCategoricalFeatures(categorical).build());
        }

        @Override
        public String toString() {
            return "Event{key " + keySpec + ", id " + abbrev(id) + ", model " + abbrev(modelId) + ", numeric "
                    + abbrev(numeric) + ", categorical " + abbrev(categorical) + "}";
        }
    }

    record DeleteIn(KeySpec keySpec, String modelId) implements Input {
        @Override
        public Topic topic() {
            return Topic.CONTROL;
        }

        @Override
        public byte[] key() {
            return keySpec.key(modelId);
        }

        @Override
        public byte[] value(final Run run) {
            return run.commandCodec.encode(ModelCommand.newBuilder().setModelId(modelId).setAction(ModelAction.DELETE)
                    .build());
        }

        @Override
        public String toString() {
            return "Delete{key " + keySpec + ", model " + abbrev(modelId) + "}";
        }
    }

    /** An import (or one part of it) of the entries of {@code source}, edited by {@code edits} in order. */
    record ImportIn(KeySpec keySpec, String modelId, String importId, int part, int parts, Source source,
                    List<Edit> edits) implements Input {
        @Override
        public Topic topic() {
            return Topic.CONTROL;
        }

        @Override
        public byte[] key() {
            return keySpec.key(modelId);
        }

        @Override
        public byte[] value(final Run run) {
            List<Map.Entry<Integer, byte[]>> entries = source.entries(run);
            // the edits of decoded headers and rows first: the test decodes no bytes that a byte-level edit broke
            for (final Edit edit : edits) {
                if (edit instanceof EditHeader || edit instanceof EditRow) {
                    entries = edit.apply(entries);
                }
            }
            for (final Edit edit : edits) {
                if (!(edit instanceof EditHeader || edit instanceof EditRow)) {
                    entries = edit.apply(entries);
                }
            }
            final List<ModelEntry> modelEntries = entries.stream().map(e -> ModelEntry.newBuilder().setIndex(e.getKey())
                    .setValue(ByteBuffer.wrap(e.getValue())).build()).toList();
            return run.commandCodec.encode(ModelCommand.newBuilder().setModelId(modelId).setAction(ModelAction.IMPORT)
                    .setImportId(importId).setPart(part).setParts(parts).setEntries(modelEntries).build());
        }

        @Override
        public String toString() {
            return "Import{key " + keySpec + ", model " + abbrev(modelId) + ", import id " + abbrev(importId)
                    + ", part " + part + " of " + parts + ", entries of " + source + ", edited " + edits + "}";
        }
    }

    /** Text sent as it is, whatever the format (JSON written by hand). */
    record TextIn(Topic topic, KeySpec keySpec, String modelId, String text) implements Input {
        @Override
        public byte[] key() {
            return keySpec.key(modelId);
        }

        @Override
        public byte[] value(final Run run) {
            return utf8(text);
        }

        @Override
        public String toString() {
            return "Text{" + topic + ", key " + keySpec + (keySpec == KeySpec.MODEL ? " " + abbrev(modelId) : "")
                    + ", " + abbrev(text, 160) + "}";
        }
    }

    /** Bytes sent as they are; {@code framed}: after the Avro single-object header of the topic's schema. */
    record BytesIn(Topic topic, KeySpec keySpec, String modelId, byte[] bytes, boolean framed) implements Input {
        @Override
        public byte[] key() {
            return keySpec.key(modelId);
        }

        @Override
        public byte[] value(final Run run) {
            if (bytes == null || !framed) {
                return bytes;
            }
            final byte[] header = Arrays.copyOf(AVRO_HEADERS.get(topic), 10);
            final byte[] out = Arrays.copyOf(header, 10 + bytes.length);
            System.arraycopy(bytes, 0, out, 10, bytes.length);
            return out;
        }

        @Override
        public String toString() {
            return "Bytes{" + topic + ", key " + keySpec + (keySpec == KeySpec.MODEL ? " " + abbrev(modelId) : "")
                    + (framed ? ", Avro header then " : ", ") + hex(bytes) + "}";
        }
    }

    /** A record of another input whose value bytes are mutated. */
    record MutatedIn(Input base, List<ByteMutation> mutations) implements Input {
        @Override
        public Topic topic() {
            return base.topic();
        }

        @Override
        public byte[] key() {
            return base.key();
        }

        @Override
        public byte[] value(final Run run) {
            final byte[] original = base.value(run);
            byte[] value = original;
            for (final ByteMutation m : mutations) {
                value = m.apply(value, original);
            }
            return value;
        }

        @Override
        public String toString() {
            return "Mutated{" + mutations + " of " + base + "}";
        }
    }

    private static final Map<Topic, byte[]> AVRO_HEADERS = Map.of(
            Topic.EXAMPLES, RecordFormat.AVRO.codec(LabeledExample.class).encode(LabeledExample.newBuilder()
                    .setModelId("m").setLabel("1").build()),
            Topic.EVENTS, RecordFormat.AVRO.codec(Event.class).encode(Event.newBuilder().setId("e").setModelId("m")
                    .build()),
            Topic.CONTROL, RecordFormat.AVRO.codec(ModelCommand.class).encode(ModelCommand.newBuilder().setModelId("m")
                    .setAction(ModelAction.DELETE).build()));

    /** A change of a record's bytes; positions are taken modulo the length. */
    interface ByteMutation {
        byte[] apply(byte[] value, byte[] original);
    }

    record FlipBit(int position, int bit) implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            if (value == null || value.length == 0) {
                return value;
            }
            final byte[] out = value.clone();
            out[position % out.length] ^= (byte) (1 << bit);
            return out;
        }
    }

    record SetByte(int position, byte to) implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            if (value == null || value.length == 0) {
                return value;
            }
            final byte[] out = value.clone();
            out[position % out.length] = to;
            return out;
        }
    }

    /** Keeps a prefix: for a valid Avro record, a valid prefix of it. */
    record Truncate(int keep) implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            return value == null ? null : Arrays.copyOf(value, keep % (value.length + 1));
        }
    }

    record Append(byte[] garbage) implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            if (value == null) {
                return null;
            }
            final byte[] out = Arrays.copyOf(value, value.length + garbage.length);
            System.arraycopy(garbage, 0, out, value.length, garbage.length);
            return out;
        }

        @Override
        public String toString() {
            return "Append[" + hex(garbage) + "]";
        }
    }

    /** Appends the original record again: two records in one value. */
    record AppendOriginal() implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            return value == null || original == null ? value : new Append(original).apply(value, original);
        }
    }

    record Insert(int position, byte[] bytes) implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            if (value == null) {
                return null;
            }
            final int at = position % (value.length + 1);
            final byte[] out = new byte[value.length + bytes.length];
            System.arraycopy(value, 0, out, 0, at);
            System.arraycopy(bytes, 0, out, at, bytes.length);
            System.arraycopy(value, at, out, at + bytes.length, value.length - at);
            return out;
        }

        @Override
        public String toString() {
            return "Insert[" + position + ", " + hex(bytes) + "]";
        }
    }

    record Remove(int position, int length) implements ByteMutation {
        @Override
        public byte[] apply(final byte[] value, final byte[] original) {
            if (value == null || value.length == 0) {
                return value;
            }
            final int at = position % value.length;
            final int n = Math.min(length, value.length - at);
            final byte[] out = new byte[value.length - n];
            System.arraycopy(value, 0, out, 0, at);
            System.arraycopy(value, at + n, out, at, value.length - at - n);
            return out;
        }
    }

    // ---------------------------------------------------------------- import entries

    /** Where an import's entries come from. */
    interface Source {
        List<Map.Entry<Integer, byte[]>> entries(Run run);
    }

    /** The entries of a model as the training store holds them now (none if it has none). */
    record Stored(String modelId) implements Source {
        @Override
        public List<Map.Entry<Integer, byte[]>> entries(final Run run) {
            return run.stored(modelId);
        }

        @Override
        public String toString() {
            return "stored model " + abbrev(modelId);
        }
    }

    /** An untrained model of these settings, with {@code rows} rows of small weights. */
    record Fresh(String type, String optimizer, int classes, int rows, int hashBits) implements Source {
        @Override
        public List<Map.Entry<Integer, byte[]>> entries(final Run run) {
            final ModelSettings s = OlrConfig.defaults(Map.of("olr.model.hash-bits", String.valueOf(hashBits),
                    "olr.model.type", type, "olr.model.optimizer", optimizer, "olr.model.classes",
                    type.equals("softmax") ? IntStream.range(0, classes).mapToObj(k -> "c" + k)
                            .collect(Collectors.joining(",")) : "")).modelSettings();
            final ModelState model = ModelState.fresh(s);
            final int width = s.logitsFor(model.classes().size()) * s.optimizer().slotsPerLogit();
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                final double[] slots = new double[width];
                Arrays.fill(slots, 0.125 * (r + 1));
                out.add(Map.entry((r * 97) % (1 << hashBits), ModelStateCodec.encodeRow(
                        new WeightRow(0, new double[s.optimizer().clockSize()], 1, 1, slots))));
            }
            out.add(Map.entry(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(model)));
            return out;
        }
    }

    /** A change of an import's entries. */
    interface Edit {
        List<Map.Entry<Integer, byte[]>> apply(List<Map.Entry<Integer, byte[]>> entries);
    }

    /** Rewrites the header (when there is a decodable one) with a change, possibly a lie about a count. */
    record EditHeader(HeaderChange change) implements Edit {
        @Override
        public List<Map.Entry<Integer, byte[]>> apply(final List<Map.Entry<Integer, byte[]>> entries) {
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries);
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).getKey() == ModelStateCodec.HEADER_INDEX) {
                    final HeaderFields fields;
                    try {
                        fields = HeaderFields.of(ModelStateCodec.decodeHeader(out.get(i).getValue()));
                    } catch (final RuntimeException | OutOfMemoryError e) {
                        return out; // broken by an earlier edit (a corrupt count can claim more than the heap)
                    }
                    change.apply(fields);
                    out.set(i, Map.entry(ModelStateCodec.HEADER_INDEX, fields.encode()));
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return "header: " + change;
        }
    }

    /** Rewrites the {@code which}-th weight row (modulo their number) with a change. */
    record EditRow(int which, RowChange change) implements Edit {
        @Override
        public List<Map.Entry<Integer, byte[]>> apply(final List<Map.Entry<Integer, byte[]>> entries) {
            final List<Integer> rows = IntStream.range(0, entries.size())
                    .filter(i -> ModelStateCodec.isRow(entries.get(i).getKey())).boxed().toList();
            if (rows.isEmpty()) {
                return entries;
            }
            final int i = rows.get(which % rows.size());
            final RowFields fields;
            try {
                fields = RowFields.of(ModelStateCodec.decodeRow(entries.get(i).getValue()));
            } catch (final RuntimeException | OutOfMemoryError e) {
                return entries;
            }
            change.apply(fields);
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries);
            out.set(i, Map.entry(entries.get(i).getKey(), fields.encode()));
            return out;
        }

        @Override
        public String toString() {
            return "row #" + which + ": " + change;
        }
    }

    record AddEntry(int index, byte[] value) implements Edit {
        @Override
        public List<Map.Entry<Integer, byte[]>> apply(final List<Map.Entry<Integer, byte[]>> entries) {
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries);
            out.add(0, Map.entry(index, value));
            return out;
        }

        @Override
        public String toString() {
            return "add entry " + index + " = " + hex(value);
        }
    }

    /** Drops ({@code copies} 0), or gives twice ({@code copies} 2), the {@code which}-th entry. */
    record DropOrRepeat(int which, int copies) implements Edit {
        @Override
        public List<Map.Entry<Integer, byte[]>> apply(final List<Map.Entry<Integer, byte[]>> entries) {
            if (entries.isEmpty()) {
                return entries;
            }
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries);
            final int i = which % out.size();
            if (copies == 0) {
                out.remove(i);
            } else {
                out.add(i, out.get(i));
            }
            return out;
        }
    }

    /** Mutates the bytes of the {@code which}-th entry. */
    record MutateEntry(int which, ByteMutation mutation) implements Edit {
        @Override
        public List<Map.Entry<Integer, byte[]>> apply(final List<Map.Entry<Integer, byte[]>> entries) {
            if (entries.isEmpty()) {
                return entries;
            }
            final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries);
            final int i = which % out.size();
            final byte[] value = out.get(i).getValue();
            out.set(i, Map.entry(out.get(i).getKey(), mutation.apply(value, value)));
            return out;
        }
    }

    /** A change of a header's fields. */
    interface HeaderChange {
        void apply(HeaderFields h);
    }

    /** A lie about the length of a list in the header: classes, initial classes, class counts, clock, bias, pending bias. */
    record HeaderCountLie(String list, int claimed) implements HeaderChange {
        @Override
        public void apply(final HeaderFields h) {
            switch (list) {
                case "classes" -> h.classesLie = claimed;
                case "initial classes" -> h.initialClassesLie = claimed;
                case "class counts" -> h.countsLie = claimed;
                case "clock" -> h.clockLie = claimed;
                case "bias" -> h.biasLie = claimed;
                default -> h.pendingLie = claimed;
            }
        }
    }

    record HeaderVersion(long version) implements HeaderChange {
        @Override
        public void apply(final HeaderFields h) {
            h.version = version;
        }
    }

    /** Sets every number of one array of the header (clock, bias, pending bias), or gives it {@code length} numbers. */
    record HeaderNumbers(String array, int length, double value) implements HeaderChange {
        @Override
        public void apply(final HeaderFields h) {
            switch (array) {
                case "clock" -> h.clock = filled(length < 0 ? h.clock.length : length, value);
                case "bias" -> h.bias = filled(length < 0 ? h.bias.length : length, value);
                default -> h.pending = filled(length < 0 ? h.bias.length : length, value);
            }
        }
    }

    record HeaderMetrics(long examples, double weightSum, double lossSum, double correct, long classCount)
            implements HeaderChange {
        @Override
        public void apply(final HeaderFields h) {
            h.examples = examples;
            h.weightSum = weightSum;
            h.lossSum = lossSum;
            h.correct = correct;
            Arrays.fill(h.counts, classCount);
        }
    }

    /** A setting of the header: any of its fields by name, as text. */
    record HeaderSetting(String field, String value) implements HeaderChange {
        @Override
        public void apply(final HeaderFields h) {
            switch (field) {
                case "format" -> h.format = Byte.parseByte(value);
                case "type" -> h.type = value;
                case "hash bits" -> h.hashBits = Integer.parseInt(value);
                case "optimizer" -> h.optimizer = value;
                case "learning rate" -> h.learningRate = Double.parseDouble(value);
                case "schedule" -> h.schedule = value;
                case "l1" -> h.l1 = Double.parseDouble(value);
                case "l2" -> h.l2 = Double.parseDouble(value);
                case "normalization" -> h.normalization = value;
                case "batch size" -> h.batchSize = Integer.parseInt(value);
                case "label clip" -> h.labelClip = Double.parseDouble(value);
                case "max dimension" -> h.maxDimension = Integer.parseInt(value);
                case "allow new classes" -> h.allowNew = Boolean.parseBoolean(value);
                default -> throw new IllegalArgumentException(field);
            }
        }
    }

    /** Replaces the classes (and their counts) by {@code count} labels: {@code prefix + k}, or the same label when repeated. */
    record HeaderClasses(int count, String prefix, boolean repeated) implements HeaderChange {
        @Override
        public void apply(final HeaderFields h) {
            h.classes = IntStream.range(0, count).mapToObj(k -> repeated ? prefix : prefix + k).toList();
            h.counts = new long[count];
        }

        @Override
        public String toString() {
            return "HeaderClasses[" + count + " of " + abbrev(prefix) + (repeated ? " (repeated)" : "") + "]";
        }
    }

    /** A change of a row's fields. */
    interface RowChange {
        void apply(RowFields r);
    }

    /** Sets the {@code k}-th number (modulo their count) of the slots, clock or pending gradients. */
    record RowNumber(String array, int k, double value) implements RowChange {
        @Override
        public void apply(final RowFields r) {
            final double[] a = switch (array) {
                case "slots" -> r.slots;
                case "clock" -> r.clock;
                default -> r.pending;
            };
            if (a.length > 0) {
                a[k % a.length] = value;
            }
        }
    }

    /** Gives the slots, clock or pending gradients {@code length} numbers of {@code value}. */
    record RowResize(String array, int length, double value) implements RowChange {
        @Override
        public void apply(final RowFields r) {
            switch (array) {
                case "slots" -> r.slots = filled(length, value);
                case "clock" -> r.clock = filled(length, value);
                default -> r.pending = filled(length, value);
            }
        }
    }

    /** A lie about a count in a row: the clock's length (a byte), the statistics byte, the slots' or pending's count. */
    record RowCountLie(String field, int claimed) implements RowChange {
        @Override
        public void apply(final RowFields r) {
            switch (field) {
                case "clock" -> r.clockLie = claimed;
                case "statistics" -> r.statisticsLie = claimed;
                case "slots" -> r.slotsLie = claimed;
                default -> r.pendingLie = claimed;
            }
        }
    }

    record RowStatistics(long step, double seen, double sumSquares, double mean, double squaredDeviations)
            implements RowChange {
        @Override
        public void apply(final RowFields r) {
            r.step = step;
            r.seen = seen;
            r.sumSquares = sumSquares;
            r.mean = mean;
            r.squaredDeviations = squaredDeviations;
        }
    }

    /** A model header as fields, written as {@link ModelStateCodec#encodeHeader} writes it, but able to lie about counts. */
    static final class HeaderFields {
        byte format = 3;
        String type;
        int hashBits;
        String optimizer;
        double learningRate;
        String schedule;
        double powerT;
        double l1;
        double l2;
        double beta;
        String normalization;
        int batchSize;
        double labelClip;
        int maxDimension;
        List<String> initialClasses;
        boolean allowNew;
        List<String> classes;
        long version;
        double[] clock;
        double[] bias;
        double[] pending;
        long examples;
        double weightSum;
        double lossSum;
        double correct;
        long[] counts;
        Integer initialClassesLie;
        Integer classesLie;
        Integer clockLie;
        Integer biasLie;
        Integer pendingLie;
        Integer countsLie;

        static HeaderFields of(final ModelState m) {
            final HeaderFields h = new HeaderFields();
            final ModelSettings s = m.settings();
            h.type = s.type().name();
            h.hashBits = s.hashBits();
            h.optimizer = s.optimizer().name();
            h.learningRate = s.learningRate();
            h.schedule = s.schedule().name();
            h.powerT = s.powerT();
            h.l1 = s.l1();
            h.l2 = s.l2();
            h.beta = s.ftrlBeta();
            h.normalization = s.normalization().name();
            h.batchSize = s.batchSize();
            h.labelClip = s.labelClip();
            h.maxDimension = s.maxDimension();
            h.initialClasses = s.initialClasses();
            h.allowNew = s.allowNewClasses();
            h.classes = m.classes();
            h.version = m.version();
            h.clock = m.clock();
            h.bias = m.biasState();
            h.pending = m.pendingBias();
            h.examples = m.metrics().examples();
            h.weightSum = m.metrics().weightSum();
            h.lossSum = m.metrics().lossSum();
            h.correct = m.metrics().correctWeight();
            h.counts = m.classCounts();
            return h;
        }

        byte[] encode() {
            try {
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                final DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(format);
                out.writeUTF(type);
                out.writeInt(hashBits);
                out.writeUTF(optimizer);
                out.writeDouble(learningRate);
                out.writeUTF(schedule);
                out.writeDouble(powerT);
                out.writeDouble(l1);
                out.writeDouble(l2);
                out.writeDouble(beta);
                out.writeUTF(normalization);
                out.writeInt(batchSize);
                out.writeDouble(labelClip);
                out.writeInt(maxDimension);
                writeStrings(out, initialClasses, initialClassesLie);
                out.writeBoolean(allowNew);
                writeStrings(out, classes, classesLie);
                out.writeLong(version);
                writeDoubles(out, clock, clockLie);
                writeDoubles(out, bias, biasLie);
                writeDoubles(out, pending, pendingLie);
                out.writeLong(examples);
                out.writeDouble(weightSum);
                out.writeDouble(lossSum);
                out.writeDouble(correct);
                out.writeInt(countsLie == null ? counts.length : countsLie);
                for (final long c : counts) {
                    out.writeLong(c);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void writeStrings(final DataOutputStream out, final List<String> strings, final Integer lie)
                throws IOException {
            out.writeInt(lie == null ? strings.size() : lie);
            for (final String s : strings) {
                out.writeUTF(s);
            }
        }

        private static void writeDoubles(final DataOutputStream out, final double[] values, final Integer lie)
                throws IOException {
            out.writeInt(lie == null ? values.length : lie);
            for (final double v : values) {
                out.writeDouble(v);
            }
        }
    }

    /** A weight row as fields, written as {@link ModelStateCodec#encodeRow} writes it, but able to lie about counts. */
    static final class RowFields {
        long step;
        double[] clock;
        double seen;
        double sumSquares;
        double mean;
        double squaredDeviations;
        double[] slots;
        double[] pending;
        Integer clockLie;
        Integer statisticsLie;
        Integer slotsLie;
        Integer pendingLie;

        static RowFields of(final WeightRow row) {
            final RowFields r = new RowFields();
            r.step = row.step();
            r.clock = row.clock();
            r.seen = row.seen();
            r.sumSquares = row.sumSquares();
            r.mean = row.mean();
            r.squaredDeviations = row.squaredDeviations();
            r.slots = row.slots().clone();
            r.pending = row.pending().clone();
            return r;
        }

        byte[] encode() {
            final int statistics = !Double.isNaN(mean) ? 2 : seen != 0 || sumSquares != 0 ? 1 : 0;
            final ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + 1 + 8 * clock.length + 1 + 16 * statistics
                    + 4 + 8 * slots.length + 4 + 8 * pending.length);
            buffer.put((byte) 3).putLong(step).put((byte) (clockLie == null ? clock.length : clockLie));
            for (final double v : clock) {
                buffer.putDouble(v);
            }
            buffer.put((byte) (statisticsLie == null ? statistics : statisticsLie));
            if (statistics > 0) {
                buffer.putDouble(seen).putDouble(sumSquares);
            }
            if (statistics > 1) {
                buffer.putDouble(mean).putDouble(squaredDeviations);
            }
            buffer.putInt(slotsLie == null ? slots.length : slotsLie);
            for (final double v : slots) {
                buffer.putDouble(v);
            }
            buffer.putInt(pendingLie == null ? pending.length : pendingLie);
            for (final double v : pending) {
                buffer.putDouble(v);
            }
            return buffer.array();
        }
    }

    /** A names entry of {@code names}, whose count may lie. */
    static byte[] namesEntry(final List<String> names, final int claimed) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(claimed);
            for (final String name : names) {
                out.writeUTF(name);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- settings of a try

    /** The format of a try's topology and the settings of its new models (hashing onto 2^{@value #HASH_BITS} rows). */
    record TrySettings(RecordFormat format, String type, String optimizer, String normalize, int batchSize) {
        TopologyConfig topologyConfig() {
            return TopologyConfig.defaults("olr-fuzz", format, OlrConfig.defaults(Map.of(
                    "olr.model.hash-bits", String.valueOf(HASH_BITS), "olr.model.type", type,
                    "olr.model.optimizer", optimizer, "olr.model.normalize", normalize,
                    "olr.model.batch-size", String.valueOf(batchSize))).modelSettings());
        }

        @Override
        public String toString() {
            return format + " " + type + " " + optimizer + " " + normalize + (batchSize > 1 ? " batch " + batchSize : "");
        }
    }

    private static Arbitrary<TrySettings> settings(final int softmaxWeight) {
        final Arbitrary<String> optimizer = Arbitraries.of("ftrl", "sgd", "asgd", "adagrad", "rls", "nag");
        return Combinators.combine(Arbitraries.of(RecordFormat.class),
                        Arbitraries.frequencyOf(Tuple.of(10 - softmaxWeight, Arbitraries.just("binary")),
                                Tuple.of(softmaxWeight, Arbitraries.just("softmax"))),
                        optimizer, Arbitraries.of("standardize", "scale", "none"), Arbitraries.of(1, 1, 3))
                .as((format, type, opt, normalize, batch) -> new TrySettings(format, type, opt, normalize,
                        opt.equals("rls") || opt.equals("nag") ? 1 : batch));
    }

    @Provide
    Arbitrary<TrySettings> settings() {
        return settings(4);
    }

    @Provide
    Arbitrary<TrySettings> largeSettings() {
        return settings(7);
    }

    // ---------------------------------------------------------------- generators

    static final List<Double> BOUNDARY_DOUBLES = List.of(0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e308, Double.MAX_VALUE,
            -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 2.2250738585072009e-308, 1e-310,
            -2.5e-320, 1e154, -1e154, 1e-160, 1e16, 9007199254740993.0, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY);
    static final List<Double> BAD_DOUBLES = List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            1e308, -1e308, -1.0, -0.0, Double.MIN_VALUE);
    static final List<Integer> LIES = List.of(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1, 2, 65_536);
    // -1000: negative, yet the next example's AUC-window entry lands on a window index
    static final List<Long> VERSIONS = List.of(-1L, -2L, -1000L, Long.MIN_VALUE, Long.MAX_VALUE, 0L, 1L << 31,
            (1L << 31) + 1, 999_999_999_999L);
    static final List<String> MODEL_IDS = List.of("m", "n", "spam");
    static final List<String> ODD_MODEL_IDS = List.of("ü模型", "x".repeat(ModelIds.MAX_BYTES),
            "x".repeat(ModelIds.MAX_BYTES + 1), "", "a\u0000b", "m ", "M");

    private static Arbitrary<Double> numbers() {
        return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.doubles().between(-10, 10)),
                Tuple.of(4, Arbitraries.of(BOUNDARY_DOUBLES)), Tuple.of(1, Arbitraries.doubles()));
    }

    private static Arbitrary<String> shortStrings(final int max) {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('é', '€', '\u0000', '模').ofMaxLength(max);
    }

    private static Arbitrary<String> featureNames() {
        return Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.of("x", "y", "z", "a", "b", "c")),
                Tuple.of(3, shortStrings(10)), Tuple.of(1, Arbitraries.of("", "=", "x=1", "名前", "\u0000", "𝄞")));
    }

    private static Arbitrary<String> modelIds() {
        return Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.of(MODEL_IDS)), Tuple.of(1, Arbitraries.of(ODD_MODEL_IDS)));
    }

    private static Arbitrary<KeySpec> keys() {
        return Arbitraries.frequencyOf(Tuple.of(25, Arbitraries.just(KeySpec.MODEL)),
                Tuple.of(1, Arbitraries.of(KeySpec.NULL, KeySpec.EMPTY, KeySpec.OTHER)));
    }

    /** {@code n} numeric features f0..f(n-1) with values from -6 to 6. */
    private static Map<String, Double> manyFeatures(final int n) {
        final Map<String, Double> features = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            features.put("f" + i, (double) (i % 13 - 6));
        }
        return features;
    }

    /**
     * Maps of {@code min} to {@code max} entries (fewer where keys repeat), from a list of entries:
     * jqwik's own maps flat-map keys to values, which costs more to generate.
     */
    private static <V> Arbitrary<Map<String, V>> maps(final Arbitrary<String> keys, final Arbitrary<V> values,
                                                      final int min, final int max) {
        return Combinators.combine(keys, values).as(Map::entry).list().ofMinSize(min).ofMaxSize(max)
                .map(entries -> {
                    final Map<String, V> map = new LinkedHashMap<>();
                    entries.forEach(e -> map.put(e.getKey(), e.getValue()));
                    return map;
                });
    }

    private static Arbitrary<Map<String, Double>> numericFeatures(final int manyMin, final int manyMax,
                                                                  final int manyWeight) {
        return Arbitraries.frequencyOf(
                Tuple.of(40, maps(featureNames(), numbers(), 0, 5)),
                Tuple.of(2, Arbitraries.just(Map.of())),
                Tuple.of(manyWeight, Arbitraries.integers().between(manyMin, manyMax).map(TopologyFuzzTest::manyFeatures)));
    }

    private static Arbitrary<Map<String, String>> categoricalFeatures(final Arbitrary<String> values) {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Map.of())),
                Tuple.of(2, maps(featureNames(), values, 0, 3)));
    }

    private static Arbitrary<String> labels() {
        return Arbitraries.frequencyOf(Tuple.of(30, Arbitraries.of("0", "1")),
                Tuple.of(4, Arbitraries.of("a", "b", "c", "yes", "no", "2", "-1", "true")),
                Tuple.of(4, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8)),
                Tuple.of(1, Arbitraries.of("", " ", "0 ", "1.0", "\u0000")));
    }

    private static Arbitrary<Double> importances() {
        return Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.just(1.0)), Tuple.of(3, Arbitraries.doubles().between(0, 5)),
                Tuple.of(2, Arbitraries.of(BOUNDARY_DOUBLES)));
    }

    private static Arbitrary<Long> timestamps() {
        return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.longs().between(0, 4_000_000_000_000L)),
                Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L))).injectNull(0.8);
    }

    private static Arbitrary<Input> examples(final Arbitrary<Map<String, Double>> numeric,
                                             final Arbitrary<Map<String, String>> categorical,
                                             final Arbitrary<String> labels, final Arbitrary<String> modelIds) {
        return Combinators.combine(keys(), modelIds, numeric, categorical, labels, importances(),
                        shortStrings(12).injectNull(0.8), timestamps())
                .as(ExampleIn::new);
    }

    private static Arbitrary<Input> events(final Arbitrary<Map<String, Double>> numeric,
                                           final Arbitrary<Map<String, String>> categorical,
                                           final Arbitrary<String> ids) {
        return Combinators.combine(Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just(KeySpec.OTHER)),
                                Tuple.of(1, Arbitraries.of(KeySpec.values()))), ids, modelIds(), numeric, categorical)
                .as(EventIn::new);
    }

    private static Arbitrary<Input> deletes() {
        return Combinators.combine(keys(), modelIds()).as(DeleteIn::new);
    }

    /** Imports of stored models under another id or their own, unchanged: valid warm starts. */
    private static Arbitrary<Input> reimports() {
        return Combinators.combine(keys(), Arbitraries.of(MODEL_IDS), Arbitraries.of(MODEL_IDS))
                .as((key, target, source) -> new ImportIn(key, target, "", 0, 1, new Stored(source), List.of()));
    }

    private static Arbitrary<Input> smallExamples() {
        return examples(numericFeatures(1, 1, 0), categoricalFeatures(shortStrings(8)), labels(), modelIds());
    }

    private static Arbitrary<Input> smallEvents() {
        return events(numericFeatures(1, 1, 0), categoricalFeatures(shortStrings(8)), shortStrings(12));
    }

    private static <T> Arbitrary<List<T>> lists(final Arbitrary<T> element, final int max) {
        return element.list().ofMinSize(1).ofMaxSize(max).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<Input>> wellFormedInputs() {
        final Arbitrary<Map<String, Double>> numeric = Arbitraries.frequencyOf(Tuple.of(199, numericFeatures(1, 1, 0)),
                Tuple.of(1, Arbitraries.integers().between(500, 3_000).map(TopologyFuzzTest::manyFeatures)));
        final Arbitrary<Input> examples = examples(numeric, categoricalFeatures(shortStrings(30)), labels(), modelIds());
        final Arbitrary<Input> events = events(numeric, categoricalFeatures(shortStrings(30)), shortStrings(30));
        return lists(Arbitraries.frequencyOf(Tuple.of(60, examples), Tuple.of(38, events), Tuple.of(1, deletes()),
                Tuple.of(1, reimports())), 1_000);
    }

    private static Arbitrary<byte[]> randomBytes(final int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    private static Arbitrary<ByteMutation> byteMutations() {
        final Arbitrary<Integer> positions = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        return Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(positions, Arbitraries.integers().between(0, 7)).as(FlipBit::new)),
                Tuple.of(2, Combinators.combine(positions, Arbitraries.of((byte) 0, (byte) -1, (byte) 0x80, (byte) 0x7f,
                        (byte) '{', (byte) '"', (byte) 0xc3)).as(SetByte::new)),
                Tuple.of(3, positions.map(Truncate::new)),
                Tuple.of(2, randomBytes(32).filter(b -> b.length > 0).map(Append::new)),
                Tuple.of(1, Arbitraries.just(new AppendOriginal())),
                Tuple.of(1, Combinators.combine(positions, randomBytes(8)).as(Insert::new)),
                Tuple.of(1, Combinators.combine(positions, Arbitraries.integers().between(1, 16)).as(Remove::new)));
    }

    private static final List<String> NUMBER_TOKENS = List.of("0", "-0", "-0.0", "0e0", "1e308", "-1e308",
            "1.7976931348623157e308", "1.7976931348623159e308", "2e308", "4.9e-324", "2.4e-324", "1e-400",
            "1e999999999", "-1e999999999", "1E+2147483648", "1e-2147483649", "1e" + "9".repeat(40), "NaN", "-NaN",
            "Infinity", "-Infinity", "+Infinity", "+1", "9223372036854775808", "-9223372036854775809", "2147483648",
            "1" + "0".repeat(999), "1" + "0".repeat(1200), "0." + "0".repeat(1500) + "1", ".5", "01", "1.", "0x10",
            "1_0", "١", "true", "null", "\"1\"", "[1]", "{}", "1.5", "-3", "42");

    private static Arbitrary<String> numberTokens() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(NUMBER_TOKENS)),
                Tuple.of(1, numbers().map(String::valueOf)));
    }

    private static Arbitrary<String> stringTokens() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of("\"m\"", "\"n\"", "\"1\"", "\"0\"", "\"e-1\"")),
                Tuple.of(2, Arbitraries.of("\"\\ud800\"", "\"\\u0000\"", "\"\\udc00x\\ud800\"", "\"𝄞\"", "\"\"", "1",
                        "1.5", "true", "null", "{}", "[]", "\"unterminated", "\"\\x\"")),
                Tuple.of(1, numberTokens()));
    }

    private static Arbitrary<String> objectOf(final Arbitrary<String> names, final Arbitrary<String> values,
                                              final int max) {
        return Combinators.combine(names, values).as((n, v) -> "\"" + n + "\":" + v).list().ofMaxSize(max)
                .map(fields -> "{" + String.join(",", fields) + "}");
    }

    /** A JSON object written by hand, with the fields of the topic's records (and others), odd numbers and strings. */
    private static Arbitrary<String> jsonText(final Topic topic) {
        final Arbitrary<String> numericObject = objectOf(Arbitraries.of("x", "y", "z", "x"), numberTokens(), 4);
        final Arbitrary<String> categoricalObject = objectOf(Arbitraries.of("c", "d"), stringTokens(), 2);
        final Arbitrary<String> entries = Combinators.combine(numberTokens(),
                        Arbitraries.of("\"AAAA\"", "\"\"", "\"!!\"", "null", "1")).as((i, v) -> "{\"index\":" + i
                        + ",\"value\":" + v + "}").list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
        final Arbitrary<String> field = switch (topic) {
            case EXAMPLES -> Arbitraries.oneOf(
                    stringTokens().map(v -> "\"model_id\":" + v), numericObject.map(v -> "\"numeric_features\":" + v),
                    categoricalObject.map(v -> "\"categorical_features\":" + v), stringTokens().map(v -> "\"label\":" + v),
                    numberTokens().map(v -> "\"importance\":" + v), stringTokens().map(v -> "\"id\":" + v),
                    numberTokens().map(v -> "\"timestamp\":" + v), numberTokens().map(v -> "\"unknown\":" + v));
            case EVENTS -> Arbitraries.oneOf(
                    stringTokens().map(v -> "\"model_id\":" + v), numericObject.map(v -> "\"numeric_features\":" + v),
                    categoricalObject.map(v -> "\"categorical_features\":" + v), stringTokens().map(v -> "\"id\":" + v),
                    numberTokens().map(v -> "\"\":" + v));
            case CONTROL -> Arbitraries.oneOf(
                    stringTokens().map(v -> "\"model_id\":" + v),
                    Arbitraries.of("\"IMPORT\"", "\"DELETE\"", "\"PURGE\"", "null", "1").map(v -> "\"action\":" + v),
                    stringTokens().map(v -> "\"import_id\":" + v), numberTokens().map(v -> "\"part\":" + v),
                    numberTokens().map(v -> "\"parts\":" + v), entries.map(v -> "\"entries\":" + v));
        };
        final String required = switch (topic) {
            case EXAMPLES -> "\"model_id\":\"m\",\"numeric_features\":{\"x\":1.0},\"label\":\"1\"";
            case EVENTS -> "\"id\":\"e\",\"model_id\":\"m\",\"numeric_features\":{\"x\":1.0}";
            case CONTROL -> "\"model_id\":\"m\",\"action\":\"DELETE\"";
        };
        final Arbitrary<String> object = Combinators.combine(Arbitraries.of(true, true, false),
                        field.list().ofMinSize(1).ofMaxSize(4))
                .as((withRequired, fields) -> "{" + (withRequired ? required + "," : "") + String.join(",", fields) + "}");
        return Arbitraries.frequencyOf(Tuple.of(20, object),
                Tuple.of(1, Arbitraries.of("", " ", "null", "[]", "1", "\"m\"", "{", "{}", "{\"model_id\":\"m\"}{}",
                        "[".repeat(5000), "{\"a\":".repeat(2000), "\uFEFF{}", "{\"model_id\":\"m\",\"model_id\":\"n\"}")));
    }

    @Provide
    Arbitrary<List<Input>> byteInputs() {
        final Arbitrary<Input> base = Arbitraries.frequencyOf(Tuple.of(10, smallExamples()), Tuple.of(6, smallEvents()),
                Tuple.of(1, deletes()), Tuple.of(1, reimports()));
        final Arbitrary<Input> mutated = Combinators.combine(base, byteMutations().list().ofMinSize(1).ofMaxSize(3))
                .as(MutatedIn::new);
        final Arbitrary<Topic> topics = Arbitraries.of(Topic.class);
        final Arbitrary<Input> raw = Combinators.combine(topics, keys(), modelIds(), randomBytes(64).injectNull(0.1),
                Arbitraries.of(true, false)).as(BytesIn::new);
        final Arbitrary<Input> text = Arbitraries.oneOf(Stream.of(Topic.values()).map(topic -> Combinators.combine(keys(),
                jsonText(topic)).as((key, t) -> (Input) new TextIn(topic, key, "m", t))).toList());
        return lists(Arbitraries.frequencyOf(Tuple.of(25, smallExamples()), Tuple.of(10, smallEvents()),
                Tuple.of(35, mutated), Tuple.of(10, raw), Tuple.of(20, text)), 1_300);
    }

    private static Arbitrary<HeaderChange> headerChanges() {
        final Arbitrary<Double> bad = Arbitraries.of(BAD_DOUBLES);
        return Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(Arbitraries.of("classes", "initial classes", "class counts", "clock",
                        "bias", "pending bias"), Arbitraries.of(LIES)).as(HeaderCountLie::new)),
                Tuple.of(3, Arbitraries.of(VERSIONS).map(HeaderVersion::new)),
                Tuple.of(4, Combinators.combine(Arbitraries.of("clock", "bias", "pending bias"),
                        Arbitraries.of(-1, -1, 0, 1, 3), bad).as(HeaderNumbers::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(VERSIONS), bad, bad, bad,
                        Arbitraries.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0L)).as(HeaderMetrics::new)),
                Tuple.of(4, Arbitraries.oneOf(
                        Arbitraries.of("0", "1", "2", "4", "-1").map(v -> new HeaderSetting("format", v)),
                        Arbitraries.of("BINARY", "SOFTMAX", "TERNARY").map(v -> new HeaderSetting("type", v)),
                        Arbitraries.of("0", "11", "13", "30", "31", "-1").map(v -> new HeaderSetting("hash bits", v)),
                        Arbitraries.of("SGD", "ASGD", "ADAGRAD", "FTRL", "RLS", "LBFGS")
                                .map(v -> new HeaderSetting("optimizer", v)),
                        Arbitraries.of("NaN", "Infinity", "0", "-1", "1e308", "4.9E-324")
                                .map(v -> new HeaderSetting("learning rate", v)),
                        Arbitraries.of("OPTIMAL", "CONSTANT", "SOMETIMES").map(v -> new HeaderSetting("schedule", v)),
                        Arbitraries.of("NaN", "-1", "0.5", "1e308").map(v -> new HeaderSetting("l1", v)),
                        Arbitraries.of("NaN", "-1", "0.99", "1e308").map(v -> new HeaderSetting("l2", v)),
                        Arbitraries.of("NONE", "SCALE", "STANDARDIZE", "WHITEN").map(v -> new HeaderSetting("normalization", v)),
                        Arbitraries.of("0", "-1", "2", "1000000", "2147483647").map(v -> new HeaderSetting("batch size", v)),
                        Arbitraries.of("0", "0.5", "NaN", "0.49999").map(v -> new HeaderSetting("label clip", v)),
                        Arbitraries.of("0", "-1", "1", "2147483647").map(v -> new HeaderSetting("max dimension", v)),
                        Arbitraries.of("true", "false").map(v -> new HeaderSetting("allow new classes", v)))),
                Tuple.of(2, Combinators.combine(Arbitraries.of(0, 1, 2, 3, 300, 3000),
                        Arbitraries.of("c", "0", "", "€".repeat(5000)), Arbitraries.of(false, false, true))
                        .as(HeaderClasses::new)));
    }

    private static Arbitrary<RowChange> rowChanges() {
        final Arbitrary<Double> bad = Arbitraries.of(BAD_DOUBLES);
        final Arbitrary<String> arrays = Arbitraries.of("slots", "slots", "clock", "pending");
        return Arbitraries.frequencyOf(
                Tuple.of(5, Combinators.combine(arrays, Arbitraries.integers().between(0, 100), bad).as(RowNumber::new)),
                Tuple.of(3, Combinators.combine(arrays, Arbitraries.of(0, 1, 3, 1000), Arbitraries.of(0.0, 0.5, Double.NaN))
                        .as(RowResize::new)),
                Tuple.of(3, Combinators.combine(Arbitraries.of("clock", "statistics", "slots", "pending"),
                        Arbitraries.of(LIES)).as(RowCountLie::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(VERSIONS), bad, bad, Arbitraries.of(0.0, Double.NaN, 1e308),
                        Arbitraries.of(0.0, Double.NaN, -1.0)).as(RowStatistics::new)));
    }

    private static Arbitrary<Edit> edits() {
        final Arbitrary<Integer> which = Arbitraries.integers().between(0, 1000);
        final Arbitrary<byte[]> addedValues = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of(BAD_DOUBLES), Arbitraries.of(true, false))
                        .as(ModelStateCodec::encodeWindowEntry),
                Combinators.combine(Arbitraries.of("x", "", "€".repeat(20_000)), Arbitraries.of(LIES))
                        .as((name, claimed) -> namesEntry(name.isEmpty() ? List.of() : List.of(name), claimed)),
                randomBytes(40));
        return Arbitraries.frequencyOf(
                Tuple.of(6, headerChanges().map(EditHeader::new)),
                Tuple.of(5, Combinators.combine(which, rowChanges()).as(EditRow::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(1 << HASH_BITS, 1 << 30, (1 << 30) + 1, 5, -2, -3,
                                -1001, -1_000_001, Integer.MIN_VALUE, Integer.MIN_VALUE + 5, Integer.MAX_VALUE),
                        addedValues).as(AddEntry::new)),
                Tuple.of(2, Combinators.combine(which, Arbitraries.of(0, 2)).as(DropOrRepeat::new)),
                Tuple.of(2, Combinators.combine(which, byteMutations()).as(MutateEntry::new)));
    }

    private static Arbitrary<Source> sources() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(MODEL_IDS).map(Stored::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.of("binary", "softmax"),
                        Arbitraries.of("ftrl", "sgd", "asgd", "adagrad", "rls", "nag"), Arbitraries.of(0, 1, 2, 5),
                        Arbitraries.of(0, 1, 3, 20), Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(HASH_BITS)),
                                Tuple.of(1, Arbitraries.of(1, 11, 30)))).as(Fresh::new)));
    }

    private static Arbitrary<Input> imports() {
        final Arbitrary<Integer> parts = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(1)),
                Tuple.of(3, Arbitraries.of(2, 3)), Tuple.of(1, Arbitraries.of(0, -1, Integer.MAX_VALUE)));
        final Arbitrary<Integer> part = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.of(1, 2)), Tuple.of(1, Arbitraries.of(-1, Integer.MAX_VALUE - 1)));
        return Combinators.combine(keys(), Arbitraries.of(MODEL_IDS), Arbitraries.of("", "", "i1", "i2"), part, parts,
                sources(), edits().list().ofMaxSize(3)).as(ImportIn::new);
    }

    @Provide
    Arbitrary<List<Input>> importInputs() {
        final Arbitrary<String> ids = Arbitraries.of(MODEL_IDS);
        final Arbitrary<Input> examples = examples(numericFeatures(1, 1, 0), categoricalFeatures(shortStrings(8)),
                labels(), ids);
        final Arbitrary<Input> events = events(numericFeatures(1, 1, 0), categoricalFeatures(shortStrings(8)),
                shortStrings(8));
        return lists(Arbitraries.frequencyOf(Tuple.of(45, examples), Tuple.of(20, events), Tuple.of(30, imports()),
                Tuple.of(5, deletes())), 700);
    }

    /** Strings of up to {@code max} characters of one to three UTF-8 bytes each, distinct by their prefix. */
    private static Arbitrary<String> longStrings(final int min, final int max) {
        return Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(4),
                        Arbitraries.of("a", "é", "€"), Arbitraries.integers().between(min, max))
                .as((prefix, c, n) -> prefix + c.repeat(n));
    }

    @Provide
    Arbitrary<List<Input>> largeInputs() {
        // long labels of up to 65,535 bytes (what a header may store of one string), and a few longer
        final Arbitrary<String> largeLabels = Arbitraries.frequencyOf(Tuple.of(40, labels()),
                Tuple.of(15, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)),
                Tuple.of(30, Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(4),
                        Arbitraries.of("a", "é", "€"), Arbitraries.integers().between(20_000, 65_500))
                        .as((prefix, c, bytes) -> prefix + c.repeat((bytes - prefix.length())
                                / c.getBytes(StandardCharsets.UTF_8).length))),
                Tuple.of(1, longStrings(20_000, 80_000)));
        final Arbitrary<Map<String, String>> largeCategorical = Arbitraries.frequencyOf(
                Tuple.of(90, categoricalFeatures(shortStrings(8))),
                Tuple.of(5, maps(Arbitraries.of("c", "d"), longStrings(1_000, 100_000), 1, 2)),
                Tuple.of(5, maps(longStrings(500, 5_000), shortStrings(4), 1, 2)),
                Tuple.of(1, longStrings(1_048_576, 1_100_000).map(s -> Map.of("huge", s))));
        final Arbitrary<Map<String, Double>> largeNumeric = Arbitraries.frequencyOf(
                Tuple.of(95, numericFeatures(1, 1, 0)),
                Tuple.of(4, Arbitraries.integers().between(1_000, 4_000).map(TopologyFuzzTest::manyFeatures)),
                Tuple.of(1, Arbitraries.integers().between(io.kafkaolr.core.Limits.DEFAULT_FEATURES - 1,
                        io.kafkaolr.core.Limits.DEFAULT_FEATURES + 50).map(TopologyFuzzTest::manyFeatures)));
        final Arbitrary<Input> examples = examples(largeNumeric, largeCategorical, largeLabels,
                Arbitraries.frequencyOf(Tuple.of(15, Arbitraries.just("m")), Tuple.of(5, Arbitraries.of(MODEL_IDS)),
                        Tuple.of(1, longStrings(150, 300))));
        final Arbitrary<Input> events = events(largeNumeric, largeCategorical,
                Arbitraries.frequencyOf(Tuple.of(20, shortStrings(8)), Tuple.of(1, longStrings(1_000, 100_000))));
        return lists(Arbitraries.frequencyOf(Tuple.of(68, examples), Tuple.of(28, events), Tuple.of(2, deletes()),
                Tuple.of(2, reimports())), 500);
    }

    // ---------------------------------------------------------------- helpers

    static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static double[] filled(final int length, final double value) {
        final double[] out = new double[length];
        Arrays.fill(out, value);
        return out;
    }

    static String abbrev(final String s) {
        return abbrev(s, 24);
    }

    static String abbrev(final String s, final int max) {
        if (s == null) {
            return "null";
        }
        final String shown = s.length() <= max ? s : s.substring(0, max) + "…";
        final StringBuilder out = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c >= 0xd800 && c <= 0xdfff) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        out.append('"');
        return s.length() <= max ? out.toString() : out + "(" + s.length() + " chars)";
    }

    static String abbrev(final Map<String, ?> map) {
        if (map.size() > 4) {
            return "{" + map.size() + " entries: " + map.entrySet().stream().limit(2)
                    .map(e -> abbrev(e.getKey()) + "=" + e.getValue()).collect(Collectors.joining(", ")) + ", …}";
        }
        return map.entrySet().stream().map(e -> abbrev(e.getKey()) + "=" + (e.getValue() instanceof String s
                ? abbrev(s) : e.getValue())).collect(Collectors.joining(", ", "{", "}"));
    }

    static String hex(final byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        if (bytes.length <= 24) {
            return "0x" + HexFormat.of().formatHex(bytes) + " (" + bytes.length + " bytes)";
        }
        return "0x" + HexFormat.of().formatHex(bytes, 0, 16) + "… (" + bytes.length + " bytes)";
    }
}
