package io.kafkaolr.topology;

import static io.kafkaolr.topology.TopologyHarness.event;
import static io.kafkaolr.topology.TopologyHarness.example;
import static io.kafkaolr.topology.TopologyHarness.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An input topic may hold Avro and JSON records side by side: each is read by what its first
 * bytes say it is, whichever format the processor is configured with; {@code olr.format} chooses
 * only what the processor writes.
 */
class MixedFormatInputTest {
    @TempDir
    Path stateDir;

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void examplesAndEventsOfBothFormatsOnOneTopicAreLearnedAndScored(final RecordFormat written) {
        final TopologyConfig config = TopologyConfig.defaults("olr-mixed", written,
                ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT));
        final RecordFormat other = written == RecordFormat.AVRO ? RecordFormat.JSON : RecordFormat.AVRO;
        final RecordCodec<LabeledExample> otherExamples = other.codec(LabeledExample.class);
        final RecordCodec<Event> otherEvents = other.codec(Event.class);
        try (TopologyHarness h = new TopologyHarness(config, stateDir)) {
            h.learn(example("m", Map.of("x", 1.0), "1"));
            h.examples.pipeInput(utf8("m"), otherExamples.encode(example("m", Map.of("x", -1.0), "0")));
            // JSON typed by hand, with spaces before it
            h.examples.pipeInput(utf8("m"), utf8("  {\"model_id\":\"m\",\"numeric_features\":{\"x\":2},\"label\":\"1\"}"));
            assertEquals(3, h.trainedModel("m").version(), "all three examples learned");
            assertEquals(List.of(), h.readDeadLetters());

            h.score("e1", event("e1", "m", Map.of("x", 1.0)));
            h.events.pipeInput(utf8("e2"), otherEvents.encode(event("e2", "m", Map.of("x", 1.0))));
            final List<TestRecord<byte[], byte[]>> predictions = h.predictions.readRecordsToList();
            assertEquals(2, predictions.size());
            for (final TestRecord<byte[], byte[]> p : predictions) {
                // written in the configured format only
                assertTrue(written == RecordFormat.AVRO ? p.value()[0] == (byte) 0xC3 : p.value()[0] == '{');
                assertEquals(3, h.predictionCodec.decode(p.value()).getModelVersion());
            }
        }
    }
}
