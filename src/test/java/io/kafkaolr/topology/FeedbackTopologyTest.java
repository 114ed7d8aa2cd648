package io.kafkaolr.topology;

import static io.kafkaolr.topology.TopologyHarness.event;
import static io.kafkaolr.topology.TopologyHarness.example;
import static io.kafkaolr.topology.TopologyHarness.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.FeedbackState;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Outcome;
import io.kafkaolr.avro.ScoredEvent;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The feedback loop in a TopologyTestDriver: scored events remembered by event id, outcomes
 * joined into labeled examples, expiry by wall-clock time with and without a default label,
 * and every outcome that cannot be joined sent to the dead letters with its own reason.
 */
class FeedbackTopologyTest {
    private static final String APP = "olr-feedback-test";
    private static final Duration WINDOW = Duration.ofMinutes(30);

    @TempDir
    Path stateDir;

    private static TopologyConfig config(final RecordFormat format, final String defaultLabel) {
        return TopologyConfig.builder(APP, format, ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT))
                .feedback(new TopologyConfig.Feedback(true, "olr-outcomes", WINDOW, defaultLabel))
                .build();
    }

    /** A harness with outcomes in and the examples the join writes out. */
    private static final class Loop implements AutoCloseable {
        final TopologyHarness h;
        final TestInputTopic<byte[], byte[]> outcomes;
        final TestOutputTopic<byte[], byte[]> examplesOut;
        final TestOutputTopic<byte[], byte[]> scored;
        final RecordCodec<Outcome> outcomeCodec;

        Loop(final TopologyConfig config, final Path stateDir) {
            h = new TopologyHarness(config, stateDir);
            outcomes = h.driver.createInputTopic(config.feedback().outcomesTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            examplesOut = h.driver.createOutputTopic(config.examplesTopic(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            scored = h.driver.createOutputTopic(config.feedbackScoredTopic(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            outcomeCodec = config.outcomes().codec();
            // a trained model to score with; its own example is read off the examples topic
            h.learn(example("m", Map.of("x", 1.0), "1"));
            h.learn(example("m", Map.of("x", -1.0), "0"));
            examplesOut.readRecordsToList();
        }

        void outcome(final String key, final String eventId, final String label) {
            outcomes.pipeInput(key == null ? null : utf8(key), outcomeCodec.encode(
                    Outcome.newBuilder().setEventId(eventId).setLabel(label).build()));
        }

        List<TestRecord<byte[], byte[]>> joinedExamples() {
            return examplesOut.readRecordsToList();
        }

        LabeledExample decode(final TestRecord<byte[], byte[]> r) {
            return h.exampleCodec.decode(r.value());
        }

        KeyValueStore<Bytes, byte[]> pending() {
            return h.driver.getKeyValueStore(OlrTopology.FEEDBACK_PENDING_STORE);
        }

        KeyValueStore<Bytes, byte[]> expiry() {
            return h.driver.getKeyValueStore(OlrTopology.FEEDBACK_EXPIRY_STORE);
        }

        ScoredEvent remembered(final String eventId) {
            final byte[] bytes = pending().get(Bytes.wrap(utf8(eventId)));
            return bytes == null ? null : ScoredEvents.CODEC.decode(bytes);
        }

        DeadLetter onlyDeadLetter() {
            final List<TestRecord<byte[], byte[]>> letters = h.readDeadLetters();
            assertEquals(1, letters.size(), "dead letters");
            return h.deadLetterCodec.decode(letters.get(0).value());
        }

        @Override
        public void close() {
            h.close();
        }
    }

    @Test
    void withFeedbackOffTheTopologyHasNoFeedbackNodesStoresOrTopics() {
        final TopologyConfig off = TopologyConfig.defaults("olr-test", RecordFormat.AVRO,
                ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT));
        final String described = OlrTopology.build(off).describe().toString();
        assertFalse(described.contains("feedback"), described);
        assertFalse(described.contains("olr-outcomes"), described);
    }

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void anOutcomeWithinTheWindowBecomesOneLabeledExampleKeyedByModelIdWithTheScoredFeatures(
            final RecordFormat format) {
        try (Loop loop = new Loop(config(format, ""), stateDir)) {
            // events keyed by model id, not by event id: scoring re-keys what it remembers
            loop.h.score("m", event("e1", "m", Map.of("x", 1.0, "y", 2.0)));
            assertEquals(1, loop.h.readPredictions().size());
            final List<TestRecord<byte[], byte[]>> handedOver = loop.scored.readRecordsToList();
            assertEquals(1, handedOver.size());
            assertEquals("e1", new String(handedOver.get(0).key(), StandardCharsets.UTF_8));
            final ScoredEvent remembered = loop.remembered("e1");
            assertEquals(FeedbackState.PENDING, remembered.getState());
            assertEquals("m", remembered.getModelId());
            assertEquals(Map.of("x", 1.0, "y", 2.0), remembered.getNumericFeatures());
            assertEquals(1.0, remembered.getProbabilities().values().stream().mapToDouble(Double::doubleValue).sum(),
                    1e-12);
            assertEquals(loop.h.trainedModel("m").version(), remembered.getModelVersion());

            loop.h.driver.advanceWallClockTime(WINDOW.minusMinutes(1));
            assertTrue(loop.joinedExamples().isEmpty(), "nothing expires before the window ends");
            loop.outcome("e1", "e1", "1");

            final List<TestRecord<byte[], byte[]>> examples = loop.joinedExamples();
            assertEquals(1, examples.size());
            assertEquals("m", new String(examples.get(0).key(), StandardCharsets.UTF_8));
            final LabeledExample joined = loop.decode(examples.get(0));
            assertEquals("1", joined.getLabel());
            assertEquals("e1", joined.getId());
            assertEquals(Map.of("x", 1.0, "y", 2.0), joined.getNumericFeatures());
            assertEquals(remembered.getScoredAt(), joined.getTimestamp().toEpochMilli());
            // the training branch learned it as any other example
            assertEquals(3, loop.h.trainedModel("m").steps());
            assertEquals(FeedbackState.JOINED, loop.remembered("e1").getState());
            assertTrue(loop.remembered("e1").getNumericFeatures().isEmpty(), "a marker keeps no features");
            assertEquals(1.0, loop.h.counter("outcomes-joined-total"));

            loop.h.driver.advanceWallClockTime(WINDOW.plusMinutes(5));
            assertTrue(loop.joinedExamples().isEmpty(), "a joined event never expires into a second example");
            assertTrue(loop.h.readDeadLetters().isEmpty());
        }
    }

    @Test
    void anEventWithoutOutcomeBecomesAnExampleWithTheDefaultLabelWhenItsWindowEnds() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, "0"), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.h.driver.advanceWallClockTime(WINDOW.minusSeconds(30));
            assertTrue(loop.joinedExamples().isEmpty());
            loop.h.driver.advanceWallClockTime(Duration.ofSeconds(40));
            final List<TestRecord<byte[], byte[]>> examples = loop.joinedExamples();
            assertEquals(1, examples.size());
            assertEquals("0", loop.decode(examples.get(0)).getLabel());
            assertEquals("e1", loop.decode(examples.get(0)).getId());
            assertEquals(FeedbackState.EXPIRED, loop.remembered("e1").getState());
            assertEquals(1.0, loop.h.counter("expired-default-labeled-total"));
            assertEquals(0.0, loop.h.counter("expired-dropped-total"));
        }
    }

    @Test
    void anEventWithoutOutcomeIsDroppedWhenThereIsNoDefaultLabel() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.h.driver.advanceWallClockTime(WINDOW.plusSeconds(20));
            assertTrue(loop.joinedExamples().isEmpty());
            assertEquals(FeedbackState.EXPIRED, loop.remembered("e1").getState());
            assertEquals(1.0, loop.h.counter("expired-dropped-total"));
        }
    }

    @Test
    void anOutcomeAfterTheWindowIsLateAndADeadLetter() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, "0"), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.h.driver.advanceWallClockTime(WINDOW.plusSeconds(20));
            assertEquals(1, loop.joinedExamples().size());
            loop.outcome("e1", "e1", "1");
            assertTrue(loop.joinedExamples().isEmpty(), "a late outcome makes no second example");
            assertEquals(RejectReason.OUTCOME_LATE.name(), loop.onlyDeadLetter().getReason());
            assertEquals(1.0, loop.h.counter("dead-letters-outcome-late-total"));
        }
    }

    @Test
    void aSecondOutcomeForAnEventIsADuplicateAndADeadLetter() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.outcome("e1", "e1", "1");
            loop.outcome("e1", "e1", "0");
            assertEquals(1, loop.joinedExamples().size());
            assertEquals(RejectReason.OUTCOME_DUPLICATE.name(), loop.onlyDeadLetter().getReason());
            assertEquals(1.0, loop.h.counter("dead-letters-outcome-duplicate-total"));
        }
    }

    @Test
    void anOutcomeForAnEventNeverScoredIsUnknownAndADeadLetter() {
        try (Loop loop = new Loop(config(RecordFormat.JSON, ""), stateDir)) {
            loop.outcome("nobody", "nobody", "1");
            final DeadLetter letter = loop.onlyDeadLetter();
            assertEquals(RejectReason.OUTCOME_UNKNOWN_EVENT.name(), letter.getReason());
            assertEquals("olr-outcomes", letter.getSourceTopic());
            assertEquals(1.0, loop.h.counter("dead-letters-outcome-unknown-event-total"));
        }
    }

    @Test
    void aResolvedEventIsForgottenOneWindowLaterAndBothStoresAreEmptyThen() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.outcome("e1", "e1", "1");
            assertEquals(1, StoreSize.of(loop.expiry()), "the marker is due once more");
            loop.h.driver.advanceWallClockTime(WINDOW.plusSeconds(20));
            assertNull(loop.remembered("e1"));
            assertEquals(0, StoreSize.of(loop.pending()));
            assertEquals(0, StoreSize.of(loop.expiry()));
            loop.outcome("e1", "e1", "1");
            assertEquals(RejectReason.OUTCOME_UNKNOWN_EVENT.name(), loop.onlyDeadLetter().getReason());
        }
    }

    @Test
    void anOutcomeKeyedOtherwiseThanByItsEventIdIsAKeyMismatch() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.outcome("m", "e1", "1");
            assertEquals(RejectReason.KEY_MISMATCH.name(), loop.onlyDeadLetter().getReason());
            loop.outcome(null, "e1", "1");
            assertEquals(RejectReason.KEY_MISMATCH.name(), loop.onlyDeadLetter().getReason());
            assertTrue(loop.joinedExamples().isEmpty());
            assertEquals(FeedbackState.PENDING, loop.remembered("e1").getState());
        }
    }

    @Test
    void anOutcomeNamingAnotherModelIsRefusedAndTheEventStaysPending() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.outcomes.pipeInput(utf8("e1"), loop.outcomeCodec.encode(Outcome.newBuilder().setEventId("e1")
                    .setLabel("1").setModelId("other").build()));
            assertEquals(RejectReason.INVALID_VALUE.name(), loop.onlyDeadLetter().getReason());
            assertEquals(FeedbackState.PENDING, loop.remembered("e1").getState());
        }
    }

    @Test
    void anOutcomeInJsonIsReadWhateverTheConfiguredFormat() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.outcomes.pipeInput(utf8("e1"), utf8("{\"event_id\": \"e1\", \"label\": 0, \"importance\": 2.5}"));
            final List<TestRecord<byte[], byte[]>> examples = loop.joinedExamples();
            assertEquals(1, examples.size());
            assertEquals("0", loop.decode(examples.get(0)).getLabel());
            assertEquals(2.5, loop.decode(examples.get(0)).getImportance());
        }
    }

    @Test
    void aSecondEventWithTheSameIdKeepsTheFirstRemembered() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, ""), stateDir)) {
            loop.h.score("k", event("e1", "m", Map.of("x", 1.0)));
            loop.h.score("k", event("e1", "m", Map.of("x", -1.0)));
            assertEquals(Map.of("x", 1.0), loop.remembered("e1").getNumericFeatures());
            assertEquals(1.0, loop.h.counter("event-ids-reused-total"));
            loop.outcome("e1", "e1", "1");
            assertEquals(1, loop.joinedExamples().size());
        }
    }

    @Test
    void anEventRefusedByScoringIsNotRemembered() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, "0"), stateDir)) {
            loop.h.score("k", event("e1", "never-trained", Map.of("x", 1.0)));
            assertEquals(RejectReason.UNKNOWN_MODEL.name(), loop.onlyDeadLetter().getReason());
            assertTrue(loop.scored.readRecordsToList().isEmpty());
            loop.h.driver.advanceWallClockTime(WINDOW.plusMinutes(1));
            assertTrue(loop.joinedExamples().isEmpty());
        }
    }

    @Test
    void expiryReadsOnlyWhatIsDueInDeadlineOrder() {
        try (Loop loop = new Loop(config(RecordFormat.AVRO, "0"), stateDir)) {
            loop.h.score("k", event("early", "m", Map.of("x", 1.0)));
            loop.h.driver.advanceWallClockTime(Duration.ofMinutes(20));
            loop.h.score("k", event("later", "m", Map.of("x", 1.0)));
            loop.h.driver.advanceWallClockTime(Duration.ofMinutes(11));
            final List<TestRecord<byte[], byte[]>> examples = loop.joinedExamples();
            assertEquals(1, examples.size());
            assertEquals("early", loop.decode(examples.get(0)).getId());
            assertEquals(FeedbackState.PENDING, loop.remembered("later").getState());
            loop.h.driver.advanceWallClockTime(Duration.ofMinutes(20));
            assertEquals("later", loop.decode(loop.joinedExamples().get(0)).getId());
        }
    }

    @Test
    void thePunctuationIntervalIsATenthOfTheWindowBetween100MillisecondsAnd10Seconds() {
        assertEquals(Duration.ofMillis(100), FeedbackJoinProcessor.punctuationInterval(Duration.ofMillis(50)));
        assertEquals(Duration.ofSeconds(3), FeedbackJoinProcessor.punctuationInterval(Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(10), FeedbackJoinProcessor.punctuationInterval(Duration.ofDays(2)));
    }

    @Test
    void aRememberedEventTakesTheBytesTheReadmeComputes() {
        final Map<String, Double> numeric = new java.util.HashMap<>();
        for (int i = 0; i < 10; i++) {
            numeric.put("feature" + i, i + 0.5); // 8-byte names
        }
        final ScoredEvent event = ScoredEvent.newBuilder().setModelId("ads").setModelVersion(1000)
                .setScoredAt(1_764_800_000_000L).setDeadline(1_764_801_800_000L)
                .setProbabilities(Map.of("0", 0.9, "1", 0.1)).setNumericFeatures(numeric)
                .setCategoricalFeatures(Map.of("device", "android1", "region", "europe-w")).build();
        // 10 header + 4 model id + 2 version + 6 time + 22 probabilities + 172 numeric + 34 categorical
        // + 1 state + 6 deadline
        assertEquals(257, ScoredEvents.CODEC.encode(event).length);
        final ScoredEvent marker = ScoredEvent.newBuilder().setModelId("ads").setModelVersion(1000)
                .setScoredAt(1_764_800_000_000L).setDeadline(1_764_801_800_000L).setState(FeedbackState.JOINED).build();
        assertEquals(10 + 4 + 2 + 6 + 1 + 1 + 1 + 1 + 6, ScoredEvents.CODEC.encode(marker).length);
    }

    /** Counts a store's entries. */
    private static final class StoreSize {
        static int of(final KeyValueStore<Bytes, byte[]> store) {
            int n = 0;
            try (var it = store.all()) {
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
            return n;
        }
    }
}
