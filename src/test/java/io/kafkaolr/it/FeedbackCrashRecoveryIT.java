package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Outcome;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The feedback loop exactly once under crashes, against the real broker: the processor runs
 * as a child JVM ({@code olr run}) with feedback on and is killed with SIGKILL three times: once
 * part of the first half of the events is scored (the second half is sent after the restart),
 * once part of the first half of the outcomes is joined (likewise), and once the events without
 * outcome have begun to expire. Outcomes are sent for half the scored events;
 * the other half expire with the default label. A read_committed reader of the examples topic
 * then finds exactly one example per scored event: labeled by its outcome, or by default when
 * it had none (or its outcome came after the window, which a dead letter then says). A duplicate
 * outcome and one for an unknown event go to the dead letters with their reasons.
 */
class FeedbackCrashRecoveryIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int EVENTS = 2_000;
    private static final String MODEL = "clicks";

    @Test
    void killedWhileScoringJoiningAndExpiringEveryScoredEventBecomesExactlyOneExample() throws Exception {
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("feedback-state"), Map.of(
                "olr.topic.partitions", "2",
                "olr.topic.outcomes", run + "-outcomes",
                "olr.feedback.enabled", "true",
                "olr.feedback.window", "PT40S",
                "olr.feedback.default-label", "0",
                "session.timeout.ms", "6000",
                "heartbeat.interval.ms", "1000",
                "statestore.cache.max.bytes", "0"));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final var exampleCodec = RecordFormat.AVRO.codec(LabeledExample.class);
        final var eventCodec = RecordFormat.AVRO.codec(Event.class);
        final var outcomeCodec = RecordFormat.AVRO.codec(Outcome.class);
        final var predictionCodec = RecordFormat.AVRO.codec(Prediction.class);
        final var deadLetterCodec = RecordFormat.AVRO.codec(DeadLetter.class);
        final Random random = new Random(20261203);
        final byte[] modelKey = MODEL.getBytes(StandardCharsets.UTF_8);

        final Map<String, String> outcomeSent = new HashMap<>();
        final Set<String> predicted = new HashSet<>();
        final List<ConsumerRecord<byte[], byte[]>> examples = new ArrayList<>();
        final List<ConsumerRecord<byte[], byte[]>> predictions = new ArrayList<>();
        int kills = 0;
        int round = 0;
        Process child = null;
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             KafkaConsumer<byte[], byte[]> examplesReader = KafkaFixture.consumer(broker, t.examplesTopic());
             KafkaConsumer<byte[], byte[]> predictionsReader = KafkaFixture.consumer(broker, t.predictionsTopic())) {
            final List<ProducerRecord<byte[], byte[]>> training = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                training.add(new ProducerRecord<>(t.examplesTopic(), modelKey,
                        exampleCodec.encode(UninterruptedRun.randomExample(MODEL, random))));
            }
            KafkaFixture.send(producer, t.examplesTopic(), training);
            child = start(config, round++);
            // probes until the model is served, so that the events are scored rather than refused
            int probes = 0;
            while (predictions.isEmpty()) {
                if (probes++ > 600) {
                    throw new AssertionError("no prediction: " + log(round - 1));
                }
                KafkaFixture.send(producer, t.eventsTopic(), List.of(new ProducerRecord<>(t.eventsTopic(), modelKey,
                        eventCodec.encode(event("probe-" + probes, random)))));
                predictionsReader.poll(Duration.ofMillis(200)).forEach(predictions::add);
            }

            // events keyed by model id, as most producers key them: scoring re-keys them by event id
            final List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                events.add(new ProducerRecord<>(t.eventsTopic(), modelKey, eventCodec.encode(event("e" + i, random))));
            }
            // half before the kill, which lands once a part of them is scored, half after the restart
            KafkaFixture.send(producer, t.eventsTopic(), events.subList(0, EVENTS / 2));
            KafkaFixture.pollUntil(predictionsReader, predictions, () -> predictions.size() >= EVENTS / 4, TIMEOUT,
                    () -> predictions.size() + " predictions");
            child = kill(child);
            kills++;
            KafkaFixture.send(producer, t.eventsTopic(), events.subList(EVENTS / 2, EVENTS));
            child = start(config, round++);
            KafkaFixture.pollUntil(predictionsReader, predictions, () -> {
                predicted.clear();
                predictions.forEach(r -> predicted.add(predictionCodec.decode(r.value()).getEventId()));
                return predicted.stream().filter(id -> id.startsWith("e")).count() >= EVENTS;
            }, TIMEOUT, () -> predicted.size() + " events predicted");
            assertEquals(predicted.size(), predictions.size(), "one prediction per event");

            // outcomes for every other scored event, keyed by event id
            final List<ProducerRecord<byte[], byte[]>> outcomes = new ArrayList<>();
            for (int i = 0; i < EVENTS; i += 2) {
                final String id = "e" + i;
                final String label = random.nextBoolean() ? "1" : "0";
                outcomeSent.put(id, label);
                outcomes.add(new ProducerRecord<>(t.feedback().outcomesTopic(), id.getBytes(StandardCharsets.UTF_8),
                        outcomeCodec.encode(Outcome.newBuilder().setEventId(id).setLabel(label).build())));
            }
            // a second outcome for e0, on e0's partition after the first: a duplicate
            outcomes.add(new ProducerRecord<>(t.feedback().outcomesTopic(), "e0".getBytes(StandardCharsets.UTF_8),
                    outcomeCodec.encode(Outcome.newBuilder().setEventId("e0").setLabel("1").build())));
            // half before the kill, which lands once a part of them is joined, half after the restart
            KafkaFixture.send(producer, t.feedback().outcomesTopic(), outcomes.subList(0, EVENTS / 4));
            KafkaFixture.pollUntil(examplesReader, examples, () -> fed(examples, exampleCodec) >= EVENTS / 8, TIMEOUT,
                    () -> fed(examples, exampleCodec) + " examples from outcomes");
            child = kill(child);
            kills++;
            KafkaFixture.send(producer, t.feedback().outcomesTopic(), outcomes.subList(EVENTS / 4, outcomes.size()));
            child = start(config, round++);
            // the window ends while this one runs: kill it once the expiries have begun
            KafkaFixture.pollUntil(examplesReader, examples,
                    () -> fed(examples, exampleCodec) > EVENTS / 2, TIMEOUT,
                    () -> fed(examples, exampleCodec) + " examples from outcomes and expiry");
            child = kill(child);
            kills++;
            child = start(config, round++);
            KafkaFixture.pollUntil(examplesReader, examples,
                    () -> fed(examples, exampleCodec) >= predicted.size(), TIMEOUT,
                    () -> fed(examples, exampleCodec) + " examples of " + predicted.size() + " scored events");

            // an outcome for an event never scored
            KafkaFixture.send(producer, t.feedback().outcomesTopic(), List.of(
                    new ProducerRecord<>(t.feedback().outcomesTopic(), "never".getBytes(StandardCharsets.UTF_8),
                            outcomeCodec.encode(Outcome.newBuilder().setEventId("never").setLabel("1").build()))));
            final List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> lettersReader = KafkaFixture.consumer(broker, t.deadLettersTopic())) {
                KafkaFixture.pollUntil(lettersReader, letters, () -> reasons(letters, deadLetterCodec).containsAll(
                                List.of(RejectReason.OUTCOME_UNKNOWN_EVENT.name(), RejectReason.OUTCOME_DUPLICATE.name())),
                        TIMEOUT,
                        () -> "dead letters " + reasons(letters, deadLetterCodec));
                // everything the processor wrote before is committed by now: read on a moment more for
                // any example a crash would have duplicated
                examplesReader.poll(Duration.ofSeconds(2)).forEach(examples::add);
            }

            final Map<String, List<String>> labels = new HashMap<>();
            for (final ConsumerRecord<byte[], byte[]> r : examples) {
                final LabeledExample example = exampleCodec.decode(r.value());
                if (example.getId() != null) {
                    assertEquals(MODEL, new String(r.key(), StandardCharsets.UTF_8), "examples keyed by model id");
                    labels.computeIfAbsent(example.getId(), id -> new ArrayList<>()).add(example.getLabel());
                }
            }
            assertEquals(predicted, labels.keySet(), "one example per scored event, and none for another");
            final Set<String> late = new HashSet<>();
            for (final ConsumerRecord<byte[], byte[]> r : letters) {
                final DeadLetter letter = deadLetterCodec.decode(r.value());
                if (letter.getReason().equals(RejectReason.OUTCOME_LATE.name())) {
                    late.add(letter.getOriginalKeyText());
                }
            }
            int byOutcome = 0;
            for (final Map.Entry<String, List<String>> e : labels.entrySet()) {
                assertEquals(1, e.getValue().size(), "examples of " + e.getKey() + ": " + e.getValue());
                final String sent = outcomeSent.get(e.getKey());
                if (sent != null && !late.contains(e.getKey())) {
                    assertEquals(sent, e.getValue().get(0), "label of " + e.getKey());
                    byOutcome++;
                } else {
                    assertEquals("0", e.getValue().get(0), "default label of " + e.getKey());
                }
            }
            assertTrue(byOutcome >= EVENTS / 4, byOutcome + " examples labeled by their outcomes");
            final List<String> reasons = reasons(letters, deadLetterCodec);
            assertTrue(reasons.contains(RejectReason.OUTCOME_DUPLICATE.name()), reasons.toString());
            assertEquals(3, kills);
        } finally {
            if (child != null) {
                kill(child);
            }
        }
    }

    private static Event event(final String id, final Random random) {
        final LabeledExample features = UninterruptedRun.randomExample(MODEL, random);
        return Event.newBuilder().setId(id).setModelId(MODEL).setNumericFeatures(features.getNumericFeatures())
                .setCategoricalFeatures(features.getCategoricalFeatures()).build();
    }

    /** The examples the feedback join wrote: those that carry an event id. */
    private static long fed(final List<ConsumerRecord<byte[], byte[]>> examples,
                            final io.kafkaolr.serde.RecordCodec<LabeledExample> codec) {
        return examples.stream().filter(r -> codec.decode(r.value()).getId() != null).count();
    }

    private static List<String> reasons(final List<ConsumerRecord<byte[], byte[]>> letters,
                                        final io.kafkaolr.serde.RecordCodec<DeadLetter> codec) {
        return letters.stream().map(r -> codec.decode(r.value()).getReason()).toList();
    }

    private static Process start(final OlrConfig config, final int round) throws IOException {
        return KafkaFixture.olrRun(config, "512m", dir.resolve("feedback-processor-" + round + ".log"));
    }

    private static Process kill(final Process child) throws InterruptedException {
        child.destroyForcibly(); // SIGKILL
        child.waitFor(30, TimeUnit.SECONDS);
        return null;
    }

    private static String log(final int round) {
        return KafkaFixture.logTail(dir.resolve("feedback-processor-" + round + ".log"));
    }
}
