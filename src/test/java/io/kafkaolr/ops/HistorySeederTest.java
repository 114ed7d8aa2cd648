package io.kafkaolr.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.serde.Topic;
import io.kafkaolr.topology.ModelIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Reading the past of models from the metrics topic: only their partitions, only its tail, bounded. */
class HistorySeederTest {
    private static final String TOPIC = "olr-metrics";
    private static final int PARTITIONS = 4;
    private static final Topic<ModelMetrics> METRICS = new Topic<>(TOPIC, RecordFormat.AVRO.codec(ModelMetrics.class));
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final long NOW = 10_000_000L;

    /** A metrics topic in memory: each partition's records, offsets from 0, and where the window starts. */
    private static final class MetricsTopic extends MockConsumer<byte[], byte[]> {
        private final long now;
        private final List<Long> windowsAsked = new ArrayList<>();
        private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
        private final Map<TopicPartition, OffsetAndTimestamp> windowStarts = new HashMap<>();
        private final List<TopicPartition> assigned = new ArrayList<>();

        MetricsTopic(final long now) {
            super("earliest");
            this.now = now;
            final List<PartitionInfo> infos = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                infos.add(new PartitionInfo(TOPIC, p, null, null, null));
                records.put(new TopicPartition(TOPIC, p), new ArrayList<>());
            }
            updatePartitions(TOPIC, infos);
        }

        /** Publishes a record of {@code model} at {@code time}, version {@code version}. */
        void publish(final String model, final long time, final long version) {
            final TopicPartition tp = partitionOf(model);
            final List<ConsumerRecord<byte[], byte[]>> partition = records.get(tp);
            partition.add(new ConsumerRecord<>(TOPIC, tp.partition(), partition.size(),
                    model.getBytes(StandardCharsets.UTF_8), METRICS.encode(ModelMetrics.newBuilder().setModelId(model)
                            .setModelVersion(version).setExamples(version).setProgressiveLogLoss(0.5)
                            .setProgressiveAccuracy(0.75).setPublishedAt(time).build())));
            if (time >= now - WINDOW.toMillis() && !windowStarts.containsKey(tp)) {
                windowStarts.put(tp, new OffsetAndTimestamp(partition.size() - 1, time));
            }
        }

        /** Ends the partitions where they are now: what is published after is not read. */
        void endHere() {
            final Map<TopicPartition, Long> ends = new HashMap<>();
            final Map<TopicPartition, Long> beginnings = new HashMap<>();
            records.forEach((tp, list) -> {
                ends.put(tp, (long) list.size());
                beginnings.put(tp, 0L);
            });
            updateEndOffsets(ends);
            updateBeginningOffsets(beginnings);
        }

        @Override
        public synchronized void assign(final Collection<TopicPartition> partitions) {
            super.assign(partitions);
            assigned.addAll(partitions);
            partitions.forEach(tp -> records.get(tp).forEach(this::addRecord));
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
                final Map<TopicPartition, Long> timestampsToSearch) {
            final Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
            timestampsToSearch.forEach((tp, time) -> {
                windowsAsked.add(time);
                out.put(tp, windowStarts.get(tp)); // null: no record in the window
            });
            return out;
        }
    }

    private static TopicPartition partitionOf(final String model) {
        return new TopicPartition(TOPIC, ModelIds.partitionOf(model.getBytes(StandardCharsets.UTF_8), PARTITIONS));
    }

    /** A model id other than {@code model} in the same partition. */
    private static String neighbourOf(final String model) {
        for (int i = 0; ; i++) {
            final String other = "neighbour-" + i;
            if (partitionOf(other).equals(partitionOf(model))) {
                return other;
            }
        }
    }

    /** A model id in none of the partitions of {@code models}. */
    private static String elsewhere(final String... models) {
        for (int i = 0; ; i++) {
            final String other = "elsewhere-" + i;
            if (java.util.Arrays.stream(models).noneMatch(m -> partitionOf(m).equals(partitionOf(other)))) {
                return other;
            }
        }
    }

    private static ModelHistory.Point point(final long time, final long version) {
        return new ModelHistory.Point(time, version, version, 0.5, 0.75);
    }

    @Test
    void readsOnlyTheWindowOfTheModelsPartitionsUpToTheirEndAndOnlyTheirRecords() {
        final String model = "m";
        final String neighbour = neighbourOf(model);
        final String unasked = elsewhere(model);
        final MetricsTopic topic = new MetricsTopic(NOW);
        topic.publish(model, NOW - WINDOW.toMillis() - 5_000, 1); // before the window
        topic.publish(model, NOW - 30_000, 10);
        topic.publish(neighbour, NOW - 25_000, 7);
        topic.publish(model, NOW - 20_000, 20);
        topic.publish(unasked, NOW - 15_000, 3);
        topic.endHere();
        topic.publish(model, NOW + 1_000, 30); // after the read started: the live samples have it

        final Map<String, Deque<ModelHistory.Point>> past = new HistorySeeder(() -> topic, METRICS, WINDOW,
                new ModelHistory()).read(topic, Set.of(model, "never-published"), NOW);
        assertEquals(List.of(point(NOW - 30_000, 10), point(NOW - 20_000, 20)), List.copyOf(past.get(model)));
        assertEquals(Set.of(model), past.keySet(), "nothing of the neighbour, nor of a model never published");
        assertTrue(topic.assigned.contains(partitionOf(model)));
        assertFalse(topic.assigned.contains(partitionOf(unasked)), "only the partitions of the models asked for");
        assertEquals(Set.of(NOW - WINDOW.toMillis()), Set.copyOf(topic.windowsAsked), "offsets from the window's start");
    }

    @Test
    void aPartitionIsReadFromItsWindowAndAtMostItsLastRecords() {
        final long max = HistorySeeder.MAX_RECORDS_PER_PARTITION;
        assertEquals(10, HistorySeeder.startOffset(0, 100, 10L), "from the window's first record");
        assertEquals(50, HistorySeeder.startOffset(50, 100, 10L), "not before the partition's beginning");
        assertEquals(100, HistorySeeder.startOffset(0, 100, null), "nothing in the window: nothing read");
        assertEquals(10 * max - max, HistorySeeder.startOffset(0, 10 * max, 0L), "the last records only");
    }

    @Test
    void atMostCapacityPointsOfAModelAreHeldTheNewest() {
        final MetricsTopic topic = new MetricsTopic(NOW);
        final int published = ModelHistory.CAPACITY + 10;
        for (int i = 1; i <= published; i++) {
            topic.publish("busy", NOW - 1_000_000 + i, i);
        }
        topic.endHere();
        final Deque<ModelHistory.Point> past = new HistorySeeder(() -> topic, METRICS, WINDOW, new ModelHistory())
                .read(topic, Set.of("busy"), NOW).get("busy");
        assertEquals(ModelHistory.CAPACITY, past.size());
        assertEquals(11, past.getFirst().version());
        assertEquals(published, past.getLast().version());
    }

    @Test
    void aRequestSeedsTheHistoryInTheBackgroundAndIsPendingUntilThen() {
        final long now = System.currentTimeMillis();
        final MetricsTopic topic = new MetricsTopic(now);
        topic.publish("m", now - 2_000, 5);
        topic.publish("m", now - 1_000, 9);
        topic.endHere();
        final ModelHistory history = new ModelHistory();
        try (HistorySeeder seeder = new HistorySeeder(() -> topic, METRICS, WINDOW, history)) {
            seeder.request(Set.of("m"));
            assertTrue(seeder.pending("m"), "pending from the request on");
            await(() -> !seeder.pending("m"));
            assertEquals(List.of(point(now - 2_000, 5), point(now - 1_000, 9)), history.points("m"));
        }
    }

    @Test
    void aReadThatFailsLeavesNothingPendingAndTheHistoryAsItWas() {
        final ModelHistory history = new ModelHistory();
        try (HistorySeeder seeder = new HistorySeeder(() -> {
            throw new KafkaException("no cluster");
        }, METRICS, WINDOW, history)) {
            seeder.request(Set.of("m"));
            await(() -> !seeder.pending("m"));
            assertEquals(List.of(), history.points("m"));
        }
    }

    private static void await(final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s");
            Thread.onSpinWait();
        }
    }
}
