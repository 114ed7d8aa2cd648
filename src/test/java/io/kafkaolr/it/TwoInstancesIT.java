package io.kafkaolr.it;

import static io.kafkaolr.it.KafkaFixture.consumer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Two processors in one application: the events topic's partitions are shared, and survive one leaving. */
class TwoInstancesIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void bothInstancesScoreAndWhenOneStopsTheOtherAnswersEveryEventExactlyOnce() throws Exception {
        final OlrConfig base = KafkaFixture.config(broker, dir.resolve("unused"), Map.of(
                "olr.topic.partitions", "4", "olr.model.learning-rate", "0.5"));
        final TopologyConfig t = base.topologyConfig();
        KafkaFixture.createTopics(broker, base);
        final RecordCodec<LabeledExample> examples = RecordFormat.AVRO.codec(LabeledExample.class);
        final RecordCodec<Event> events = RecordFormat.AVRO.codec(Event.class);
        final RecordCodec<Prediction> predictions = RecordFormat.AVRO.codec(Prediction.class);

        final OlrProcessor a = OlrProcessor.start(base.with(Map.of("state.dir", dir.resolve("a").toString())),
                broker.bootstrapServers());
        final OlrProcessor b = OlrProcessor.start(base.with(Map.of("state.dir", dir.resolve("b").toString())),
                broker.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             KafkaConsumer<byte[], byte[]> out = consumer(broker, t.predictionsTopic())) {
            KafkaFixture.await(() -> eventPartitions(a, t).size() + eventPartitions(b, t).size() == 4
                            && !eventPartitions(a, t).isEmpty() && !eventPartitions(b, t).isEmpty(), TIMEOUT,
                    () -> "event partitions: a " + eventPartitions(a, t) + ", b " + eventPartitions(b, t));

            final List<ProducerRecord<byte[], byte[]>> training = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                training.add(new ProducerRecord<>(t.examplesTopic(), bytes("m"), examples.encode(LabeledExample
                        .newBuilder().setModelId("m").setNumericFeatures(Map.of("x", i % 2 == 0 ? 1.0 : -1.0))
                        .setLabel(i % 2 == 0 ? "1" : "0").build())));
            }
            KafkaFixture.send(producer, t.examplesTopic(), training);

            // the model reaches both instances' global stores before events for it are sent
            KafkaFixture.await(() -> KafkaFixture.servedVersion(a, "m") == 50 && KafkaFixture.servedVersion(b, "m") == 50, TIMEOUT,
                    () -> "served versions: a " + KafkaFixture.servedVersion(a, "m") + ", b " + KafkaFixture.servedVersion(b, "m"));
            final List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
            int sent = 0;
            sent = sendEvents(producer, t, events, sent, 400);
            final int firstBatch = sent;
            KafkaFixture.pollUntil(out, received, () -> received.size() >= firstBatch, TIMEOUT,
                    () -> "expected " + firstBatch + " predictions but received only " + received.size());
            assertTrue(scored(a) > 0 && scored(b) > 0, "both instances scored: a " + scored(a) + ", b " + scored(b));

            sent = sendEvents(producer, t, events, sent, 300);
            final CompletableFuture<Void> stopping = CompletableFuture.runAsync(b::close);
            sent = sendEvents(producer, t, events, sent, 300);
            stopping.get();
            sent = sendEvents(producer, t, events, sent, 300);
            final int total = sent;
            KafkaFixture.pollUntil(out, received, () -> received.size() >= total, TIMEOUT,
                    () -> "expected " + total + " predictions but received only " + received.size());
            KafkaFixture.await(() -> eventPartitions(a, t).size() == 4, TIMEOUT,
                    () -> "a owns " + eventPartitions(a, t));
            // nothing more arrives: read until the consumer is idle for a moment past the last offsets
            final long extraDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < extraDeadline) {
                out.poll(Duration.ofMillis(200)).forEach(received::add);
            }

            final Map<String, Integer> perEvent = new HashMap<>();
            for (final ConsumerRecord<byte[], byte[]> r : received) {
                final Prediction p = predictions.decode(r.value());
                assertEquals(new String(r.key(), StandardCharsets.UTF_8), "k-" + p.getEventId());
                perEvent.merge(p.getEventId(), 1, Integer::sum);
            }
            assertEquals(total, perEvent.size(), "every event answered");
            assertTrue(perEvent.values().stream().allMatch(n -> n == 1), "no event answered twice");
        } finally {
            a.close();
            b.close();
        }
    }

    private static int sendEvents(final KafkaProducer<byte[], byte[]> producer, final TopologyConfig t,
                                  final RecordCodec<Event> events, final int from, final int count) throws Exception {
        final List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            batch.add(new ProducerRecord<>(t.eventsTopic(), bytes("k-" + i), events.encode(Event.newBuilder()
                    .setId(String.valueOf(i)).setModelId("m").setNumericFeatures(Map.of("x", i % 3 - 1.0)).build())));
        }
        KafkaFixture.send(producer, t.eventsTopic(), batch);
        return from + count;
    }

    private static Set<TopicPartition> eventPartitions(final OlrProcessor p, final TopologyConfig t) {
        final Set<TopicPartition> owned = new HashSet<>();
        if (p.streams().state() != KafkaStreams.State.RUNNING) {
            return owned;
        }
        p.streams().metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task ->
                task.topicPartitions().stream().filter(tp -> tp.topic().equals(t.eventsTopic())).forEach(owned::add)));
        return owned;
    }

    private static double scored(final OlrProcessor p) {
        return p.streams().metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-olr-metrics")
                        && e.getKey().name().equals("events-scored-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
