package io.kafkaolr.bench;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * End-to-end throughput against the embedded broker, in one run: (a) a pass-through topology
 * with the same Kafka settings (the floor), (b) the training topology and (c) the scoring
 * topology, on generated examples with 32 non-zero features drawn from 1,000,000 names, either
 * uniformly (most rows new: the worst case) or by a Zipf law (recurring features, as in real
 * streams). Training runs with the default learner ({@link OlrConfig}'s model defaults) and with
 * plain SGD on raw features, at 2^18 and 2^24 hashed dimensions; scoring reads the default
 * learner's models. For every training run the model topic's records and bytes per example are
 * counted, and, for the default learner at 2^18, again with a short commit interval.
 *
 * <p>Rounds are interleaved (a b c ... a b c ...) and medians reported, so that the machine's
 * drift hits every kind alike. Rates are measured from the stream thread's own
 * {@code process-total} between 10% and 100% of the input, excluding start-up and restoration.
 * The output ends with every target beside its measured ratio, and with the ratios of the JMH
 * results ({@code jmh.json} beside the output) when that file exists.
 *
 * <p>Usage: {@code ThroughputHarness [records] [rounds] [output.md]}; system properties
 * {@code bench.secondary-rounds} (rounds of the short-commit runs, the last ones), {@code bench.stores},
 * {@code bench.cache}, {@code bench.no-names}, {@code bench.only18} and {@code bench.streams.*}.
 */
public final class ThroughputHarness {
    private static final int NNZ = 32;
    private static final int NAMES = 1_000_000;
    private static final double ZIPF_EXPONENT = 1.1;
    private static final int COMMIT_MS = 1000;
    private static final int SHORT_COMMIT_MS = 100;
    private static final String FLOOR = "a. pass-through (floor)";
    /** -Dbench.stores=weights,models, e.g. memory,memory (the defaults); -Dbench.cache=true caches the weights; -Dbench.no-names=true stores no feature names. */
    private static final TopologyConfig.StoreKind[] STORES = Arrays.stream(
            System.getProperty("bench.stores", "memory,memory").split(","))
            .map(kind -> TopologyConfig.StoreKind.valueOf(kind.trim().toUpperCase(Locale.ROOT)))
            .toArray(TopologyConfig.StoreKind[]::new);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** How a model learns in a run. */
    private enum Learner {
        /** What a model gets when nothing is configured (ftrl with standardised features today). */
        DEFAULT("default learner"),
        /** Plain SGD on raw features: the cheapest step, what the harness measured before the optimizers. */
        SGD("sgd");

        private final String label;

        Learner(final String label) {
            this.label = label;
        }

        ModelSettings settings(final int bits) {
            return switch (this) {
                // the application's own defaults, so that the benchmark follows them when they change
                case DEFAULT -> OlrConfig.defaults(Map.of()).modelSettings().withHashBits(bits);
                case SGD -> ModelSettings.binary(0.05, LearningRateSchedule.INVSCALING).withHashBits(bits)
                        .withL2(1e-6);
            };
        }

        String describe() {
            final ModelSettings s = settings(18);
            return String.format(Locale.ROOT, "%s (%s, %s, learning rate %s, l1 %s, l2 %s)", label,
                    s.optimizer().name().toLowerCase(Locale.ROOT), s.normalization().name().toLowerCase(Locale.ROOT),
                    s.learningRate(), s.l1(), s.l2());
        }
    }

    /** Which feature names the examples draw. */
    private enum FeatureStream {
        /** Uniform over the names: nearly every feature of an example is new while the pass lasts. */
        UNIFORM("uniform", 20261123L),
        /** Zipf over the names: a few features recur in most examples, most are rare. */
        ZIPF("Zipf", 20261203L);

        private final String label;
        private final long seed;

        FeatureStream(final String label, final long seed) {
            this.label = label;
            this.seed = seed;
        }

        String examplesTopic() {
            return "examples-" + name().toLowerCase(Locale.ROOT);
        }

        String eventsTopic() {
            return "events-" + name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One training configuration.
     *
     * @param scored whether scoring runs on this configuration's model (as its own row)
     * @param secondary whether it runs only in the last {@code bench.secondary-rounds} rounds
     */
    private record Training(Learner learner, FeatureStream stream, int bits, int commitMs, boolean scored,
                            boolean secondary) {
        String label() {
            return "b. training, " + suffix();
        }

        String scoringLabel() {
            return "c. scoring, " + suffix();
        }

        private String suffix() {
            return learner.label + ", " + stream.label + ", 2^" + bits
                    + (commitMs == COMMIT_MS ? "" : ", commit " + commitMs + " ms");
        }
    }

    /** What was measured of one kind of run, one entry per round. */
    private static final class Series {
        private final List<Double> rates = new ArrayList<>();
        private final List<Double> changelogRecords = new ArrayList<>();
        private final List<Double> changelogBytes = new ArrayList<>();
    }

    /** The model topic's records and bytes (key + value) written by one run. */
    private record Changelog(long records, long bytes) {
    }

    private final EmbeddedBroker broker;
    private final int records;
    private final Path stateRoot;
    private final Map<String, Series> results = new LinkedHashMap<>();
    private int runs;

    private ThroughputHarness(final EmbeddedBroker broker, final int records, final Path stateRoot) {
        this.broker = broker;
        this.records = records;
        this.stateRoot = stateRoot;
    }

    public static void main(final String[] args) throws Exception {
        final int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final Path output = Path.of(args.length > 2 ? args[2] : "target/benchmarks/throughput.md");
        final int secondaryRounds = Math.min(rounds, Integer.getInteger("bench.secondary-rounds", 1));
        final long start = System.nanoTime();
        final Path root = Files.createTempDirectory("olr-bench-");
        try {
            try (EmbeddedBroker broker = EmbeddedBroker.start(root.resolve("broker"), 0)) {
                new ThroughputHarness(broker, records, root.resolve("state")).run(rounds, secondaryRounds, output,
                        start);
            }
        } finally {
            // every model topic of the run is kept until the end (no deletion while measuring): gigabytes
            deleteRecursively(root);
        }
    }

    private static List<Training> plan(final boolean only18) {
        final List<Training> plan = new ArrayList<>();
        for (final int bits : only18 ? new int[] {18} : new int[] {18, 24}) {
            plan.add(new Training(Learner.DEFAULT, FeatureStream.UNIFORM, bits, COMMIT_MS, true, false));
        }
        for (final int bits : only18 ? new int[] {18} : new int[] {18, 24}) {
            plan.add(new Training(Learner.DEFAULT, FeatureStream.ZIPF, bits, COMMIT_MS, false, false));
        }
        plan.add(new Training(Learner.SGD, FeatureStream.UNIFORM, 18, COMMIT_MS, false, false));
        plan.add(new Training(Learner.SGD, FeatureStream.ZIPF, 18, COMMIT_MS, false, false));
        for (final FeatureStream stream : FeatureStream.values()) {
            plan.add(new Training(Learner.DEFAULT, stream, 18, SHORT_COMMIT_MS, false, true));
        }
        return plan;
    }

    private void run(final int rounds, final int secondaryRounds, final Path output, final long start)
            throws Exception {
        createTopic("events-unused", false);
        for (final FeatureStream stream : FeatureStream.values()) {
            createTopic(stream.examplesTopic(), false);
            // the training topology reads model commands with the examples
            createTopic(stream.examplesTopic() + "-control", false);
            createTopic(stream.eventsTopic(), false);
        }
        fill();
        final List<Training> plan = plan(Boolean.getBoolean("bench.only18"));
        results.put(FLOOR, new Series());
        for (final Training training : plan) {
            results.put(training.label(), new Series());
            if (training.scored()) {
                results.put(training.scoringLabel(), new Series());
            }
        }
        for (int round = 0; round < rounds; round++) {
            // the short-commit runs go last, away from the first round's fresh (slow) broker
            final boolean secondary = round >= rounds - secondaryRounds;
            record(FLOOR, measure("olr-bench-floor-" + round, passThrough(), COMMIT_MS), null);
            for (final Training training : plan) {
                if (training.secondary() && !secondary) {
                    continue;
                }
                train(training, round);
            }
        }
        final String md = report(rounds, secondaryRounds, output, (System.nanoTime() - start) / 1e9);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, md);
        System.out.println();
        System.out.println(md);
        System.out.println("written to " + output.toAbsolutePath());
    }

    private void train(final Training training, final int round) throws Exception {
        final String app = String.format(Locale.ROOT, "olr-bench-train-%s-%s-%d-%d-%d",
                training.learner().name().toLowerCase(Locale.ROOT), training.stream().name().toLowerCase(Locale.ROOT),
                training.bits(), training.commitMs(), round);
        // a training-only application (olr.role=training): no global copy of its own models
        final TopologyConfig config = config(app, training, "events-unused");
        createTopic(config.modelTopic(), true);
        final Map<TopicPartition, Long> before = endOffsets(config.modelTopic());
        final double rate = measure(app, OlrTopology.build(config), training.commitMs());
        // counted once the application is closed: its last commit writes to the model topic too
        record(training.label(), rate, changelog(config.modelTopic(), before));
        if (training.scored()) {
            // a scoring-only application (olr.role=scoring) reading the training run's model topic
            final String scoringApp = app.replace("-train-", "-score-");
            final TopologyConfig scoring = config(app, training, training.stream().eventsTopic())
                    .scoringOnly(scoringApp, app);
            record(training.scoringLabel(), measure(scoringApp, OlrTopology.build(scoring), COMMIT_MS), null);
        }
    }

    private void record(final String kind, final double rate, final Changelog changelog) {
        final Series series = results.get(kind);
        series.rates.add(rate);
        if (changelog != null) {
            series.changelogRecords.add((double) changelog.records() / records);
            series.changelogBytes.add((double) changelog.bytes() / records);
            System.out.printf(Locale.ROOT, "%-58s %,10.0f records/s, model topic %,.2f records and %,.0f bytes per"
                    + " example%n", kind, rate, (double) changelog.records() / records,
                    (double) changelog.bytes() / records);
        } else {
            System.out.printf(Locale.ROOT, "%-58s %,10.0f records/s%n", kind, rate);
        }
    }

    private double median(final String kind) {
        final Series series = results.get(kind);
        return series == null ? Double.NaN : Median.of(series.rates);
    }

    private String report(final int rounds, final int secondaryRounds, final Path output, final double seconds)
            throws IOException {
        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%,d records per run, %d round%s (the commit %d ms runs: only in the last"
                + " %d, -Dbench.secondary-rounds), medians; %d non-zero features per example from %,d names, uniform"
                + " or Zipf (s = %.1f).%n", records, rounds, rounds == 1 ? "" : "s", SHORT_COMMIT_MS, secondaryRounds,
                NNZ, NAMES, ZIPF_EXPONENT));
        md.append(String.format(Locale.ROOT, "Learners: %s; %s. Changelog: the model topic's records and bytes"
                + " (key + value) per example, read_committed.%n%n", Learner.DEFAULT.describe(),
                Learner.SGD.describe()));
        md.append("| run | rounds | records/s (median) | all rounds | changelog records / example |"
                + " changelog bytes / example |\n|---|---:|---:|---|---:|---:|\n");
        results.forEach((kind, series) -> md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n",
                kind, series.rates.size(), number(Median.of(series.rates), "%,.0f"),
                String.join(" · ", series.rates.stream().map(v -> number(v, "%,.0f")).toList()),
                series.changelogRecords.isEmpty() ? "" : number(Median.of(series.changelogRecords), "%.2f"),
                series.changelogBytes.isEmpty() ? "" : number(Median.of(series.changelogBytes), "%,.0f"))));

        final double floor = median(FLOOR);
        md.append("\n| ratio | measured | target | met |\n|---|---:|---:|---|\n");
        md.append(ratio("training 2^18 / floor (default learner, uniform)",
                median(training(Learner.DEFAULT, FeatureStream.UNIFORM, 18).label()) / floor, 0.80));
        md.append(ratio("training 2^18 / floor (default learner, Zipf)",
                median(training(Learner.DEFAULT, FeatureStream.ZIPF, 18).label()) / floor, 0.80));
        md.append(ratio("training 2^18 / floor (sgd, uniform)",
                median(training(Learner.SGD, FeatureStream.UNIFORM, 18).label()) / floor, 0.80));
        md.append(ratio("training 2^18 / floor (sgd, Zipf)",
                median(training(Learner.SGD, FeatureStream.ZIPF, 18).label()) / floor, 0.80));
        final String scoring18 = training(Learner.DEFAULT, FeatureStream.UNIFORM, 18).scoringLabel();
        md.append(ratio("scoring 2^18 / floor (default learner, uniform)", median(scoring18) / floor, 0.90));
        md.append(ratio("training 2^24 / 2^18 (default learner, Zipf)",
                median(training(Learner.DEFAULT, FeatureStream.ZIPF, 24).label())
                        / median(training(Learner.DEFAULT, FeatureStream.ZIPF, 18).label()), 0.90));
        md.append(ratio("training 2^24 / 2^18 (default learner, uniform)",
                median(training(Learner.DEFAULT, FeatureStream.UNIFORM, 24).label())
                        / median(training(Learner.DEFAULT, FeatureStream.UNIFORM, 18).label()), Double.NaN));
        md.append(ratio("scoring 2^24 / 2^18 (default learner, uniform)",
                median(training(Learner.DEFAULT, FeatureStream.UNIFORM, 24).scoringLabel()) / median(scoring18), 0.90));

        md.append(String.format(Locale.ROOT, "%n| changelog per example, default learner, 2^18 | commit %d ms |"
                + " commit %d ms |%n|---|---:|---:|%n", SHORT_COMMIT_MS, COMMIT_MS));
        for (final FeatureStream stream : FeatureStream.values()) {
            final Series shortCommit = results.get(new Training(Learner.DEFAULT, stream, 18, SHORT_COMMIT_MS, false,
                    true).label());
            final Series longCommit = results.get(training(Learner.DEFAULT, stream, 18).label());
            md.append(String.format(Locale.ROOT, "| %s: records | %s | %s |%n", stream.label,
                    number(shortCommit == null ? Double.NaN : Median.of(shortCommit.changelogRecords), "%.2f"),
                    number(longCommit == null ? Double.NaN : Median.of(longCommit.changelogRecords), "%.2f")));
            md.append(String.format(Locale.ROOT, "| %s: bytes | %s | %s |%n", stream.label,
                    number(shortCommit == null ? Double.NaN : Median.of(shortCommit.changelogBytes), "%,.0f"),
                    number(longCommit == null ? Double.NaN : Median.of(longCommit.changelogBytes), "%,.0f")));
        }
        md.append(JmhRatios.report(output.toAbsolutePath().getParent().resolve("jmh.json")));
        md.append(String.format(Locale.ROOT, "%nHarness run time: %.1f min.%n", seconds / 60));
        return md.toString();
    }

    private static Training training(final Learner learner, final FeatureStream stream, final int bits) {
        return new Training(learner, stream, bits, COMMIT_MS, false, false);
    }

    private static String ratio(final String name, final double value, final double target) {
        final boolean reportOnly = Double.isNaN(target);
        return String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name, number(value, "%.2f"),
                reportOnly ? "report only" : String.format(Locale.ROOT, ">= %.2f", target),
                reportOnly || Double.isNaN(value) ? "" : value >= target ? "yes" : "no");
    }

    static String number(final double value, final String format) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    /** Kafka settings shared by every topology measured: the floor differs only in its processing. */
    private Properties streamsProperties(final String applicationId, final int commitMs) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        runs++;
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.resolve("run-" + runs).toString());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), "262144");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "50");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "5000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // -Dbench.streams.<name>=<value> adds or overrides a Kafka Streams setting for every run
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("bench.streams."))
                .forEach(n -> props.put(n.substring("bench.streams.".length()), System.getProperty(n)));
        // the commit interval is what some runs vary: it is the run's, whatever bench.streams.* says
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitMs));
        return props;
    }

    private Topology passThrough() throws Exception {
        final String out = "passthrough-out-" + runs;
        createTopic(out, false);
        final Topology topology = new Topology();
        topology.addSource("in", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                FeatureStream.UNIFORM.examplesTopic());
        topology.addSink("out", out, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "in");
        return topology;
    }

    private TopologyConfig config(final String app, final Training training, final String events) throws Exception {
        final String suffix = "-" + app + "-" + events;
        createTopic("dead" + suffix, false);
        createTopic("pred" + suffix, false);
        createTopic("metrics" + suffix, false);
        return TopologyConfig.builder(app, RecordFormat.AVRO, training.learner().settings(training.bits()))
                .role(TopologyConfig.Role.TRAINING)
                .examplesTopic(training.stream().examplesTopic())
                .eventsTopic(events)
                .predictionsTopic("pred" + suffix)
                .deadLettersTopic("dead" + suffix)
                .examplesPartitions(1)
                .weightsStore(STORES[0])
                .modelStore(STORES[1])
                .weightsCache(Boolean.getBoolean("bench.cache"))
                .featureNames(!Boolean.getBoolean("bench.no-names"))
                .metrics(new TopologyConfig.MetricsOutput("metrics" + suffix, Duration.ofSeconds(10), 1000))
                .build();
    }

    /** Runs {@code topology} over the pre-filled input; records/s between 10% and 100% of it. */
    private double measure(final String applicationId, final Topology topology, final int commitMs)
            throws Exception {
        final KafkaStreams streams = new KafkaStreams(topology, streamsProperties(applicationId, commitMs));
        streams.start();
        try {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long startNanos = -1;
            while (true) {
                final double processed = processed(streams);
                final long now = System.nanoTime();
                if (startNanos < 0 && processed >= records * 0.1) {
                    startNanos = now;
                }
                if (processed >= records) {
                    return records * 0.9 / ((now - startNanos) / 1e9);
                }
                if (now > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("processed only " + processed + " of " + records + " ("
                            + streams.state() + ")");
                }
                TimeUnit.MILLISECONDS.sleep(50); // reading the metrics is not free: poll sparingly
            }
        } finally {
            streams.close(Duration.ofSeconds(60));
        }
    }

    private static double processed(final KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-thread-metrics")
                        && e.getKey().name().equals("process-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private KafkaConsumer<byte[], byte[]> committedReader() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Map<TopicPartition, Long> endOffsets(final String topic) throws InterruptedException {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            // a topic just created may not be in the metadata yet
            while (consumer.partitionsFor(topic).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no partitions for " + topic);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            return consumer.endOffsets(consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList());
        }
    }

    /**
     * The committed records written to {@code modelTopic} since {@code before}, counted by
     * consuming them: transaction markers take offsets too, so offsets would overcount. Fails
     * unless the model's header with every example is among them (scoring needs it).
     */
    private Changelog changelog(final String modelTopic, final Map<TopicPartition, Long> before) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            consumer.assign(before.keySet());
            before.forEach(consumer::seek);
            final Map<TopicPartition, Long> end = consumer.endOffsets(before.keySet());
            long count = 0;
            long bytes = 0;
            boolean published = false;
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the model topic " + modelTopic + " was not read in time");
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    count++;
                    bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                    if (!published && r.key() != null && r.value() != null
                            && ModelTopicFormat.headerModelId(r.key()) != null
                            && ModelStateCodec.decodeHeader(r.value()).version() == records) {
                        published = true;
                    }
                }
            }
            if (!published) {
                throw new IllegalStateException("the model's header with all " + records + " examples is not on "
                        + modelTopic);
            }
            return new Changelog(count, bytes);
        }
    }

    private void createTopic(final String name, final boolean modelTopic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            final NewTopic topic = new NewTopic(name, 1, (short) 1);
            if (modelTopic) {
                // compacted like the real one, but not before the run's records have been counted
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, String.valueOf(Duration.ofDays(1).toMillis())));
            }
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Zipf's law over ranks {@code 0 .. n-1} (rank {@code k} with weight {@code (k+1)^-s}), drawn by
     * inverting the cumulative weights with a binary search.
     */
    static final class Zipf {
        private final double[] cumulative;

        Zipf(final int n, final double exponent) {
            cumulative = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += Math.pow(k + 1, -exponent);
                cumulative[k] = sum;
            }
        }

        int next(final Random random) {
            final double u = random.nextDouble() * cumulative[cumulative.length - 1];
            final int found = Arrays.binarySearch(cumulative, u);
            // rank k covers [cumulative[k-1], cumulative[k]): the first cumulative weight above u
            return Math.min(found >= 0 ? found + 1 : -found - 1, cumulative.length - 1);
        }
    }

    /** Writes each stream's examples and events once; every run reads them from the beginning. */
    private void fill() throws Exception {
        final RecordCodec<LabeledExample> examples = RecordFormat.AVRO.codec(LabeledExample.class);
        final RecordCodec<Event> events = RecordFormat.AVRO.codec(Event.class);
        final byte[] model = "bench".getBytes(StandardCharsets.UTF_8);
        final Zipf zipf = new Zipf(NAMES, ZIPF_EXPONENT);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.BATCH_SIZE_CONFIG, "262144", ProducerConfig.LINGER_MS_CONFIG, "20"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (final FeatureStream stream : FeatureStream.values()) {
                final Random random = new Random(stream.seed);
                final BitSet used = new BitSet(NAMES);
                for (int i = 0; i < records; i++) {
                    final Map<String, Double> x = new HashMap<>();
                    double margin = 0;
                    while (x.size() < NNZ) {
                        final int f = stream == FeatureStream.UNIFORM ? random.nextInt(NAMES) : zipf.next(random);
                        final double v = random.nextGaussian();
                        // a name drawn again is skipped: 32 distinct features, each counted once in the label
                        if (x.putIfAbsent("f" + f, v) == null) {
                            margin += (f % 5 - 2) * v;
                            used.set(f);
                        }
                    }
                    producer.send(new ProducerRecord<>(stream.examplesTopic(), model, examples.encode(
                            LabeledExample.newBuilder().setModelId("bench").setNumericFeatures(x)
                                    .setLabel(margin > 0 ? "1" : "0").build())));
                    final byte[] id = ("e" + i).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(stream.eventsTopic(), id, events.encode(Event.newBuilder()
                            .setId("e" + i).setModelId("bench").setNumericFeatures(x).build())));
                }
                System.out.printf(Locale.ROOT, "filled %s examples and events: %,d records each, %d non-zero"
                        + " features, %,d distinct names%n", stream.label, records, NNZ, used.cardinality());
            }
        }
    }

    private static void deleteRecursively(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
