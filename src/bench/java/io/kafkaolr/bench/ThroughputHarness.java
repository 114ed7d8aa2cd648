package io.kafkaolr.bench;

import io.kafkaolr.app.EmbeddedBroker;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * End-to-end throughput against the embedded broker, in one run: (a) a pass-through topology
 * with the same Kafka settings (the floor), (b) the training topology, (c) the scoring
 * topology, at 2^18 and 2^24 hashed dimensions, on generated examples with 32 non-zero
 * features. Rounds are interleaved (a b c a b c ...) and medians reported, so that the
 * machine's drift hits every kind alike. Rates are measured from the stream thread's own
 * {@code process-total} between 10% and 100% of the input, excluding start-up.
 *
 * <p>Usage: {@code ThroughputHarness [records] [rounds] [output.md]}.
 */
public final class ThroughputHarness {
    private static final int NNZ = 32;
    /** -Dbench.stores=weights,models, e.g. memory,memory (the defaults); -Dbench.cache=true caches the weights; -Dbench.no-names=true stores no feature names. */
    private static final TopologyConfig.StoreKind[] STORES = java.util.Arrays.stream(
            System.getProperty("bench.stores", "memory,memory").split(","))
            .map(kind -> TopologyConfig.StoreKind.valueOf(kind.trim().toUpperCase(java.util.Locale.ROOT)))
            .toArray(TopologyConfig.StoreKind[]::new);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final EmbeddedBroker broker;
    private final int records;
    private final Path stateRoot;
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
        final Path root = Files.createTempDirectory("olr-bench-");
        try (EmbeddedBroker broker = EmbeddedBroker.start(root.resolve("broker"), 0)) {
            new ThroughputHarness(broker, records, root.resolve("state")).run(rounds, output);
        }
    }

    private void run(final int rounds, final Path output) throws Exception {
        createTopic("examples", false);
        createTopic("examples-control", false); // the training topology reads model commands with the examples
        createTopic("events", false);
        createTopic("events-unused", false);
        fill();
        final Map<String, List<Double>> rates = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            record(rates, "a. pass-through (floor)", measure("olr-bench-floor-" + round, passThrough(), null));
            for (final int bits : new int[] {18, 24}) {
                if (bits == 24 && Boolean.getBoolean("bench.only18")) {
                    continue;
                }
                final String app = "olr-bench-train-" + bits + "-" + round;
                // a training-only application (olr.role=training): no global copy of its own models
                final TopologyConfig training = config(app, bits, "events-unused");
                createTopic(training.modelTopic(), true);
                record(rates, "b. training, 2^" + bits, measure(app, OlrTopology.build(training),
                        training.modelTopic()));
                // a scoring-only application (olr.role=scoring) reading the training run's model topic
                final String scoringApp = "olr-bench-score-" + bits + "-" + round;
                final TopologyConfig scoring = config(app, bits, "events").scoringOnly(scoringApp, app);
                record(rates, "c. scoring, 2^" + bits, measure(scoringApp, OlrTopology.build(scoring), null));
            }
        }
        final Map<String, Double> median = new HashMap<>();
        rates.forEach((kind, values) -> median.put(kind, median(values)));
        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d records per run, %d rounds, medians (records/s):%n%n", records,
                rounds));
        md.append("| topology | records/s (median) | all rounds |\n|---|---:|---|\n");
        rates.keySet().stream().sorted().forEach(kind -> md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s |%n",
                kind, median.get(kind), rates.get(kind).stream().map(v -> String.format(Locale.ROOT, "%,.0f", v))
                        .toList())));
        final double floor = median.get("a. pass-through (floor)");
        md.append("\n| ratio | value | target |\n|---|---:|---:|\n");
        md.append(ratio("training 2^18 / floor", median.get("b. training, 2^18") / floor, ">= 0.80"));
        md.append(ratio("scoring 2^18 / floor", median.get("c. scoring, 2^18") / floor, ">= 0.90"));
        if (!median.containsKey("b. training, 2^24")) {
            System.out.println(md);
            return;
        }
        md.append(ratio("training 2^24 / training 2^18",
                median.get("b. training, 2^24") / median.get("b. training, 2^18"), ">= 0.90"));
        md.append(ratio("scoring 2^24 / scoring 2^18",
                median.get("c. scoring, 2^24") / median.get("c. scoring, 2^18"), ">= 0.90"));
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, md);
        System.out.println();
        System.out.println(md);
        System.out.println("written to " + output.toAbsolutePath());
    }

    private static String ratio(final String name, final double value, final String target) {
        return String.format(Locale.ROOT, "| %s | %.2f | %s |%n", name, value, target);
    }

    private static void record(final Map<String, List<Double>> rates, final String kind, final double rate) {
        rates.computeIfAbsent(kind, k -> new ArrayList<>()).add(rate);
        System.out.printf(Locale.ROOT, "%-28s %,12.0f records/s%n", kind, rate);
    }

    private static double median(final List<Double> values) {
        final List<Double> sorted = values.stream().sorted().toList();
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Kafka settings shared by every topology measured: the floor differs only in its processing. */
    private Properties streamsProperties(final String applicationId) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        runs++;
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.resolve("run-" + runs).toString());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), "262144");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "50");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "5000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // -Dbench.streams.<name>=<value> adds or overrides a Kafka Streams setting for every run
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("bench.streams."))
                .forEach(n -> props.put(n.substring("bench.streams.".length()), System.getProperty(n)));
        return props;
    }

    private Topology passThrough() throws Exception {
        final String out = "passthrough-out-" + runs;
        createTopic(out, false);
        final Topology topology = new Topology();
        topology.addSource("in", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), "examples");
        topology.addSink("out", out, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "in");
        return topology;
    }

    private static ModelSettings settings(final int bits) {
        return ModelSettings.binary(0.05, LearningRateSchedule.INVSCALING).withHashBits(bits).withL2(1e-6);
    }

    private TopologyConfig config(final String app, final int bits, final String events) throws Exception {
        final String suffix = "-" + app + "-" + events;
        createTopic("dead" + suffix, false);
        createTopic("pred" + suffix, false);
        createTopic("metrics" + suffix, false);
        return new TopologyConfig(app, TopologyConfig.Role.TRAINING, app, "examples", events, "pred" + suffix, "dead" + suffix, RecordFormat.AVRO,
                settings(bits), io.kafkaolr.core.Limits.DEFAULT, true, 1, STORES[0], STORES[1], Boolean.getBoolean("bench.cache"),
                !Boolean.getBoolean("bench.no-names"),
                new TopologyConfig.MetricsOutput("metrics" + suffix, java.time.Duration.ofSeconds(10), 1000));
    }

    /** Runs {@code topology} over the pre-filled input; records/s between 10% and 100% of it. */
    private double measure(final String applicationId, final Topology topology, final String modelTopicToComplete)
            throws Exception {
        final KafkaStreams streams = new KafkaStreams(topology, streamsProperties(applicationId));
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
                    final double rate = records * 0.9 / ((now - startNanos) / 1e9);
                    if (modelTopicToComplete != null) {
                        awaitPublished(modelTopicToComplete);
                    }
                    return rate;
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

    /** Waits until the model's header with every example is committed on the model topic (scoring needs it). */
    private void awaitPublished(final String modelTopic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + modelTopic + "-" + runs,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(modelTopic));
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (ModelStateCodec.decodeKey(r.key()).isHeader()
                            && ModelStateCodec.decodeHeader(r.value()).version() == records) {
                        return;
                    }
                }
            }
            throw new IllegalStateException("the model was not published in time");
        }
    }

    private void createTopic(final String name, final boolean compacted) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            final NewTopic topic = new NewTopic(name, 1, (short) 1);
            if (compacted) {
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Writes the examples and the events once; every run reads them from the beginning. */
    private void fill() throws Exception {
        final RecordCodec<LabeledExample> examples = RecordFormat.AVRO.codec(LabeledExample.class);
        final RecordCodec<Event> events = RecordFormat.AVRO.codec(Event.class);
        final Random random = new Random(20261123);
        final byte[] model = "bench".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.BATCH_SIZE_CONFIG, "262144", ProducerConfig.LINGER_MS_CONFIG, "20"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                final Map<String, Double> x = new HashMap<>();
                double margin = 0;
                while (x.size() < NNZ) {
                    final int f = random.nextInt(1_000_000);
                    final double v = random.nextGaussian();
                    if (x.put("f" + f, v) == null) {
                        margin += (f % 5 - 2) * v;
                    }
                }
                producer.send(new ProducerRecord<>("examples", model, examples.encode(LabeledExample.newBuilder()
                        .setModelId("bench").setNumericFeatures(x).setLabel(margin > 0 ? "1" : "0").build())));
                final byte[] id = ("e" + i).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>("events", id, events.encode(Event.newBuilder().setId("e" + i)
                        .setModelId("bench").setNumericFeatures(x).build())));
            }
        }
        System.out.printf(Locale.ROOT, "filled examples and events: %,d records each, %d non-zero features%n",
                records, NNZ);
    }
}
