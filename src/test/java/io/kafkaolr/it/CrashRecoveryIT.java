package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once under crashes: the processor runs as a child JVM ({@code olr run}) and is
 * killed with SIGKILL several times while it learns; after the last restart the model on the
 * model topic is bitwise the model of one uninterrupted pass over the same examples, and its
 * example count is the number of examples produced.
 */
class CrashRecoveryIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int CHUNK = 20_000;
    private static final int KILLS = 3;
    private static final List<String> MODELS = List.of("alpha", "beta");

    @Test
    void killedAndRestartedRepeatedlyTheModelIsBitwiseThatOfAnUninterruptedRun() throws Exception {
        final Map<String, String> settings = new HashMap<>(Map.of(
                "olr.topic.partitions", "2",
                "olr.model.optimizer", "ftrl", "olr.model.l1", "0.01", "olr.model.learning-rate", "0.2",
                "olr.model.l2", "0.001",
                "olr.model.hash-bits", "16",
                "session.timeout.ms", "6000",
                "heartbeat.interval.ms", "1000",
                // no record cache (the default for the training store anyway): every store write
                // reaches the changelog at once, so only exactly_once_v2's transactions keep a
                // crash from replaying learned examples
                "statestore.cache.max.bytes", "0",
                // commits many times a round (a round's learning takes well under a second now), so
                // that a kill lands between two commits while the round is still being learned
                "commit.interval.ms", "100"));
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state"), settings);
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final Random random = new Random(20261123);
        final Map<String, List<LabeledExample>> sent = new HashMap<>();
        MODELS.forEach(m -> sent.put(m, new ArrayList<>()));

        int kills = 0;
        int midStream = 0;
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            for (int r = 0; r <= KILLS; r++) {
                final int round = r;
                final List<ProducerRecord<byte[], byte[]>> chunk = new ArrayList<>();
                for (int i = 0; i < CHUNK; i++) {
                    final String model = MODELS.get(i % MODELS.size());
                    final LabeledExample example = UninterruptedRun.randomExample(model, random);
                    sent.get(model).add(example);
                    chunk.add(new ProducerRecord<>(t.examplesTopic(), model.getBytes(StandardCharsets.UTF_8),
                            codec.encode(example)));
                }
                KafkaFixture.send(producer, t.examplesTopic(), chunk);
                final long produced = (long) CHUNK * (round + 1);

                final Process child = startProcessor(config, round);
                try {
                    if (round < KILLS) {
                        // kill once this round's learning is under way, not before and not after
                        final long target = (long) CHUNK * round + CHUNK / 3;
                        KafkaFixture.await(() -> committed(admin, config) >= target || !child.isAlive(), TIMEOUT,
                                () -> "committed " + committed(admin, config) + " of " + target);
                        // ...and once it has written more to the model topic since: the kill lands with
                        // state changes in flight, which exactly-once must roll back (at_least_once
                        // replays them and fails this test)
                        final long written = logEnd(admin, t.modelTopic());
                        KafkaFixture.await(() -> logEnd(admin, t.modelTopic()) >= written + 10 || !child.isAlive(),
                                TIMEOUT, () -> "model topic end " + logEnd(admin, t.modelTopic()) + " of " + written);
                        assertTrue(child.isAlive(), "processor died by itself: " + log(round));
                        child.destroyForcibly(); // SIGKILL
                        child.waitFor(30, TimeUnit.SECONDS);
                        kills++;
                        if (committed(admin, config) < produced) {
                            midStream++;
                        }
                    } else {
                        try (ModelTopicReader reader = new ModelTopicReader(
                                KafkaFixture.consumer(broker, t.modelTopic()))) {
                            UninterruptedRun.awaitLearned(reader, sent, TIMEOUT, () -> log(round));
                            for (final String model : MODELS) {
                                UninterruptedRun.assertBitwise(model, sent.get(model), config.modelSettings(),
                                        reader.entries(model));
                            }
                        }
                    }
                } finally {
                    child.destroyForcibly();
                    child.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
        assertEquals(KILLS, kills);
        assertTrue(midStream >= KILLS - 1, "only " + midStream + " of " + kills + " kills interrupted learning");
    }

    private static Process startProcessor(final OlrConfig config, final int round) throws IOException {
        return KafkaFixture.olrRun(config, "512m", dir.resolve("processor-" + round + ".log"));
    }

    private static long committed(final Admin admin, final OlrConfig config) {
        try {
            final Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(config.get("application.id"))
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().toString().startsWith(config.topologyConfig().examplesTopic()))
                    .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
        } catch (final Exception e) {
            return -1;
        }
    }

    /** The sum of the topic's log-end offsets, uncommitted records included. */
    private static long logEnd(final Admin admin, final String topic) {
        try {
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(10, TimeUnit.SECONDS).values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                    .sum();
        } catch (final Exception e) {
            return -1;
        }
    }

    private static String log(final int round) {
        return KafkaFixture.logTail(dir.resolve("processor-" + round + ".log"));
    }
}
