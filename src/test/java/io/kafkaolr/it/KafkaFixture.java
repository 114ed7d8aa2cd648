package io.kafkaolr.it;

import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.Topics;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.topology.OlrTopology;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Helpers for tests against the real embedded broker: configs with unique names, producing, consuming, waiting. */
final class KafkaFixture {
    /** What {@code olr run} prints once its HTTP endpoint listens. */
    private static final Pattern ENDPOINT = Pattern.compile("HTTP endpoint: (http://\\S+/)");

    private KafkaFixture() {
    }

    /** A configuration whose topics and application id are unique to one test, with fast commits and publication. */
    static OlrConfig config(final EmbeddedBroker broker, final Path stateDir, final Map<String, String> extra) {
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", broker.bootstrapServers());
        settings.put("application.id", "olr-it-" + run);
        settings.put("state.dir", stateDir.toString());
        settings.put("commit.interval.ms", "100");
        for (final String topic : List.of("examples", "events", "predictions", "dead-letters")) {
            settings.put("olr.topic." + topic, run + "-" + topic);
        }
        settings.putAll(extra);
        return OlrConfig.defaults(settings);
    }

    /**
     * The version of {@code modelId} that {@code processor}'s scoring side serves (its global
     * store, fed from the committed model topic), or -1: events sent once it is the version
     * wanted are scored with that version. A consumer of the model topic may see a commit a
     * moment before the global store does.
     */
    static long servedVersion(final OlrProcessor processor, final String modelId) {
        try {
            final ReadOnlyKeyValueStore<Bytes, byte[]> store = processor.streams().store(
                    StoreQueryParameters.fromNameAndType(OlrTopology.MODEL_GLOBAL_STORE,
                            QueryableStoreTypes.<Bytes, byte[]>keyValueStore()));
            final byte[] header = store.get(Bytes.wrap(ModelTopicFormat.headerKey(modelId)));
            return header == null ? -1 : ModelStateCodec.decodeHeader(header).version();
        } catch (final InvalidStateStoreException e) {
            return -1; // not queryable yet
        }
    }

    static void createTopics(final EmbeddedBroker broker, final OlrConfig config) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Topics.ensure(admin, config);
        }
    }

    static KafkaProducer<byte[], byte[]> producer(final EmbeddedBroker broker) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void send(final KafkaProducer<byte[], byte[]> producer, final String topic,
                     final Collection<ProducerRecord<byte[], byte[]>> records) throws Exception {
        final List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (final ProducerRecord<byte[], byte[]> r : records) {
            acks.add(producer.send(r));
        }
        for (final java.util.concurrent.Future<?> ack : acks) {
            ack.get();
        }
    }

    /** A read_committed consumer of {@code topic} from the beginning. */
    static KafkaConsumer<byte[], byte[]> consumer(final EmbeddedBroker broker, final String topic) {
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "olr-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /**
     * Polls {@code consumer} into {@code sink} until {@code done} holds; fails after
     * {@code timeout} saying what {@code progress} last reported.
     */
    static void pollUntil(final KafkaConsumer<byte[], byte[]> consumer, final List<ConsumerRecord<byte[], byte[]>> sink,
                          final BooleanSupplier done, final Duration timeout, final Supplier<String> progress) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not done within " + timeout + ": " + progress.get());
            }
            consumer.poll(Duration.ofMillis(100)).forEach(sink::add);
        }
    }

    /** Waits for {@code condition} with a deadline; never a fixed sleep. */
    static void await(final BooleanSupplier condition, final Duration timeout, final Supplier<String> progress) {
        try {
            // in this thread: conditions may poll a Kafka consumer the test goes on using
            Awaitility.await().atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(50))
                    .until(condition::getAsBoolean);
        } catch (final ConditionTimeoutException e) {
            throw new AssertionError("not true within " + timeout + ": " + progress.get(), e);
        }
    }

    /**
     * {@code olr run} in a JVM of its own (to be killed or sent SIGTERM as a supervisor would),
     * with every setting of {@code config}, its output in {@code log}.
     */
    static Process olrRun(final OlrConfig config, final String maxHeap, final Path log) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), "io.kafkaolr.cli.Main", "run"));
        config.asMap().forEach((name, value) -> {
            command.add("--set");
            command.add(name + "=" + value);
        });
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** What {@code olr run} wrote to {@code log} so far, or "" before it wrote anything. */
    static String read(final Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (final IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The last 30 lines of {@code log}, to say what a child process was doing when a test failed. */
    static String logTail(final Path log) {
        final List<String> lines = read(log).lines().toList();
        return log.getFileName() + " tail:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30),
                lines.size()));
    }

    /** The HTTP endpoint's address once {@code child}, an {@code olr run} writing to {@code log}, printed it. */
    static URI endpoint(final Process child, final Path log, final Duration timeout) {
        final String[] found = {null};
        await(() -> {
            final Matcher m = ENDPOINT.matcher(read(log));
            found[0] = m.find() ? m.group(1) : null;
            return found[0] != null || !child.isAlive();
        }, timeout, () -> "olr run printed: " + read(log));
        if (found[0] == null) {
            throw new AssertionError("olr run stopped: " + read(log));
        }
        return URI.create(found[0]);
    }
}
