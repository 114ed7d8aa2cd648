package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The training task writes the rows it changed once per commit, inside the transaction that
 * commits the examples: with commits only when the processor closes, hundreds of examples over
 * three features leave nothing on the model topic while they are learned, then exactly the
 * blocks of the three rows, their names blocks, the AUC window's chunks and one header, committed
 * together with the input offsets; and a restart reads the model back and goes on to the same model an uninterrupted
 * pass computes, to the bit.
 */
class ChangelogPerCommitIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> FEATURES = List.of("a", "b", "c");

    @Test
    void rowsChangedManyTimesReachTheModelTopicOnceInTheCommitOfTheirExamples() throws Exception {
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state-once"), Map.of(
                "olr.role", "training", "olr.topic.partitions", "1",
                // no commit but the one a clean close makes
                "commit.interval.ms", "600000", "producer.transaction.timeout.ms", "900000",
                "olr.metrics.interval.ms", "600000"));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final RecordCodec<LabeledExample> codec = t.format().codec(LabeledExample.class);
        final List<LabeledExample> sent = new ArrayList<>();
        final int first = 300;
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker)) {
            KafkaFixture.send(producer, t.examplesTopic(), examples(t, codec, 0, first, sent));
        }
        // closing the processor commits: the model topic holds its changes from then on
        try (OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers())) {
            try (KafkaConsumer<byte[], byte[]> model = KafkaFixture.consumer(broker, t.modelTopic())) {
                assertTrue(processor.awaitRunning(TIMEOUT), "processor running");
                KafkaFixture.await(() -> learned(processor) >= first, TIMEOUT, () -> learned(processor) + " learned");
                // learned, not committed: the transaction is open and holds nothing of the model yet
                final TopicPartition partition = new TopicPartition(t.modelTopic(), 0);
                assertEquals(0L, model.endOffsets(List.of(partition)).get(partition),
                        "read_committed end of the model topic before the commit");
            }
        }

        final List<ConsumerRecord<byte[], byte[]>> committed = readAll(t.modelTopic());
        final List<ModelTopicFormat.Key> keys = committed.stream().map(r -> ModelTopicFormat.decodeKey(r.key())).toList();
        final Set<Integer> rows = new HashSet<>();
        final FeatureHasher hasher = new FeatureHasher(t.modelDefaults().hashBits());
        FEATURES.forEach(f -> rows.add(hasher.index(f)));
        // the span of a block, as the blocks say
        final int shift = committed.stream().filter(r -> ((ModelTopicFormat.Entry) ModelTopicFormat.decodeKey(r.key()))
                .kind() == ModelTopicFormat.Kind.ROWS).findFirst()
                .map(r -> ModelTopicFormat.decodeRows(r.value()).shift()).orElseThrow();
        final Set<ModelTopicFormat.Key> expected = new HashSet<>();
        rows.forEach(r -> expected.add(new ModelTopicFormat.Entry("m", ModelTopicFormat.Kind.ROWS, (r >>> shift) << shift)));
        rows.forEach(r -> expected.add(new ModelTopicFormat.Entry("m", ModelTopicFormat.Kind.NAMES, (r >>> shift) << shift)));
        for (long v = 1; v <= first; v++) {
            expected.add(new ModelTopicFormat.Entry("m", ModelTopicFormat.Kind.WINDOW, ModelTopicFormat.windowChunk(v)));
        }
        final ModelTopicFormat.Key header = new ModelTopicFormat.Entry("m", ModelTopicFormat.Kind.HEADER, 0);
        expected.add(header);
        assertEquals(expected.size(), keys.size(), "each changed entry once, nothing else: " + keys);
        assertEquals(expected, new HashSet<>(keys));
        assertEquals(header, keys.get(keys.size() - 1), "the header last");
        // the committed model is that of one pass, to the bit
        UninterruptedRun.assertBitwise("m", sent, t.modelDefaults(), latest(committed));
        assertEquals(first, committedOffset(config), "the input offsets committed with the rows");

        // a restart reads the model back from the store and goes on, committing every 100 ms now
        final OlrConfig again = KafkaFixture.config(broker, dir.resolve("state-once-2"), Map.of(
                "application.id", config.asMap().get("application.id"), "olr.role", "training",
                "olr.topic.partitions", "1", "commit.interval.ms", "100",
                "olr.topic.examples", t.examplesTopic(), "olr.topic.dead-letters", t.deadLettersTopic()));
        KafkaFixture.createTopics(broker, again);
        final int more = 200;
        try (OlrProcessor processor = OlrProcessor.start(again, broker.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker)) {
            assertTrue(processor.awaitRunning(TIMEOUT), "processor running again");
            KafkaFixture.send(producer, t.examplesTopic(), examples(t, codec, first, more, sent));
            KafkaFixture.await(() -> committedOffset(again) >= first + more, TIMEOUT,
                    () -> committedOffset(again) + " committed");
        }
        // after a restart, the model of one uninterrupted pass, to the bit
        UninterruptedRun.assertBitwise("m", sent, t.modelDefaults(), latest(readAll(t.modelTopic())));
    }

    private static List<ProducerRecord<byte[], byte[]>> examples(final TopologyConfig t,
                                                                final RecordCodec<LabeledExample> codec,
                                                                final int from, final int count,
                                                                final List<LabeledExample> sent) {
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            final Map<String, Double> numeric = new LinkedHashMap<>();
            for (int f = 0; f < FEATURES.size(); f++) {
                numeric.put(FEATURES.get(f), Math.sin(i * (f + 1.3)));
            }
            final LabeledExample example = LabeledExample.newBuilder().setModelId("m").setNumericFeatures(numeric)
                    .setLabel(Math.sin(i * 0.7) + numeric.get("a") > 0 ? "1" : "0").build();
            sent.add(example);
            records.add(new ProducerRecord<>(t.examplesTopic(), "m".getBytes(StandardCharsets.UTF_8),
                    codec.encode(example)));
        }
        return records;
    }

    /** The latest value of each of the model's entries on the model topic (none for a deleted one). */
    private static Map<Integer, byte[]> latest(final List<ConsumerRecord<byte[], byte[]>> records) {
        final Map<ModelTopicFormat.Key, byte[]> out = new java.util.HashMap<>();
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(r.key());
            if (r.value() == null) {
                out.remove(key);
            } else {
                out.put(key, r.value());
            }
        }
        return new TreeMap<>(ModelTopicFormat.indexed(out, TopologyConfig.MetricsOutput.DEFAULT.aucWindow()));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(final String topic) {
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaFixture.consumer(broker, topic)) {
            final TopicPartition partition = new TopicPartition(topic, 0);
            KafkaFixture.pollUntil(consumer, out, () -> !consumer.assignment().isEmpty()
                    && consumer.position(partition) >= consumer.endOffsets(List.of(partition)).get(partition),
                    TIMEOUT, () -> out.size() + " records read");
        }
        return out;
    }

    private static long committedOffset(final OlrConfig config) {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                broker.bootstrapServers()))) {
            final var offsets = admin.listConsumerGroupOffsets(config.asMap().get("application.id"))
                    .partitionsToOffsetAndMetadata().get();
            final var offset = offsets.get(new TopicPartition(config.topologyConfig().examplesTopic(), 0));
            return offset == null ? 0 : offset.offset();
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double learned(final OlrProcessor processor) {
        for (final Map.Entry<MetricName, ? extends Metric> e : processor.streams().metrics().entrySet()) {
            if (e.getKey().name().equals("examples-learned-total")) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return 0;
    }
}
