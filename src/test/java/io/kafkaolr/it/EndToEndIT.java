package io.kafkaolr.it;

import static io.kafkaolr.it.KafkaFixture.consumer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.offline.ShippedDatasets;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.Datasets;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole processor against a real broker: examples and events produced by plain Kafka
 * producers, predictions consumed read_committed and compared, to the bit, with what
 * {@code replay} computes from the same rows.
 */
class EndToEndIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void predictionsForEventsEqualReplayToTheBitAndBadRecordsBecomeDeadLetters(final RecordFormat format)
            throws Exception {
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state-" + format), Map.of(
                "olr.format", format.name()));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final CsvDataset train = Datasets.read("breast-cancer/train.csv");
        final CsvDataset test = ShippedDatasets.read("breast-cancer/test.csv", train.columns());

        try (OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             ModelTopicReader model = new ModelTopicReader(consumer(broker, t.modelTopic()));
             KafkaConsumer<byte[], byte[]> predictions = consumer(broker, t.predictionsTopic());
             KafkaConsumer<byte[], byte[]> deadLetters = consumer(broker, t.deadLettersTopic())) {
            assertTrue(processor.awaitRunning(TIMEOUT), "processor running");
            final var exampleCodec = format.codec(LabeledExample.class);
            final List<ProducerRecord<byte[], byte[]>> examples = new ArrayList<>();
            for (final CsvDataset.Row row : train.rows()) {
                examples.add(new ProducerRecord<>(t.examplesTopic(), bytes("bc"), exampleCodec.encode(
                        LabeledExample.newBuilder().setModelId("bc").setNumericFeatures(row.features().numeric())
                                .setLabel(row.label()).build())));
                if (examples.size() == 100) {
                    examples.add(new ProducerRecord<>(t.examplesTopic(), bytes("bc"), bytes("{corrupt")));
                }
            }
            KafkaFixture.send(producer, t.examplesTopic(), examples);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (model.version("bc") < train.rows().size()) {
                assertTrue(System.nanoTime() < deadline, "model version " + model.version("bc"));
                model.poll();
            }
            // scoring's own copy may see the commit a moment after this test's consumer does
            KafkaFixture.await(() -> KafkaFixture.servedVersion(processor, "bc") == train.rows().size(), TIMEOUT,
                    () -> "served version " + KafkaFixture.servedVersion(processor, "bc"));

            final var eventCodec = format.codec(Event.class);
            final List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
            for (int i = 0; i < test.rows().size(); i++) {
                events.add(new ProducerRecord<>(t.eventsTopic(), bytes("key-" + i), eventCodec.encode(Event.newBuilder()
                        .setId("event-" + i).setModelId("bc")
                        .setNumericFeatures(test.rows().get(i).features().numeric()).build())));
            }
            events.add(new ProducerRecord<>(t.eventsTopic(), bytes("key-unknown"), eventCodec.encode(Event.newBuilder()
                    .setId("event-unknown").setModelId("no-such-model").build())));
            KafkaFixture.send(producer, t.eventsTopic(), events);

            final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            KafkaFixture.pollUntil(predictions, out, () -> out.size() >= test.rows().size(), TIMEOUT,
                    () -> "expected " + test.rows().size() + " predictions but received only " + out.size());

            final Replay replay = new Replay(config.modelSettings(), io.kafkaolr.core.Limits.DEFAULT_FEATURES,
                    new PrintWriter(Writer.nullWriter()));
            replay.train(train);
            final var predictionCodec = format.codec(Prediction.class);
            final Map<String, Prediction> byKey = new HashMap<>();
            for (final ConsumerRecord<byte[], byte[]> r : out) {
                byKey.put(new String(r.key(), StandardCharsets.UTF_8), predictionCodec.decode(r.value()));
            }
            assertEquals(test.rows().size(), byKey.size(), "one prediction per event, none twice");
            for (int i = 0; i < test.rows().size(); i++) {
                final Prediction p = byKey.get("key-" + i);
                final ModelOutput expected = replay.predict(test.rows().get(i).features());
                assertEquals("event-" + i, p.getEventId());
                assertEquals(train.rows().size(), p.getModelVersion());
                assertEquals(expected.probabilities()[1], p.getProbabilities().get("1"), 0.0, "event " + i);
                assertEquals(expected.logit(), p.getLogit(), 0.0);
            }

            final List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
            KafkaFixture.pollUntil(deadLetters, letters, () -> letters.size() >= 2, TIMEOUT,
                    () -> "expected 2 dead letters but received " + letters.size());
            final var letterCodec = format.codec(DeadLetter.class);
            assertEquals(List.of("UNPARSEABLE", "UNKNOWN_MODEL"),
                    letters.stream().map(r -> letterCodec.decode(r.value()).getReason()).sorted((a, b) ->
                            a.equals("UNPARSEABLE") ? -1 : b.equals("UNPARSEABLE") ? 1 : 0).toList());
        }
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
