package io.kafkaolr.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.avro.ScoredEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedbackStatsTest {
    private static ScoredEvent scored(final double positive, final long at) {
        return ScoredEvent.newBuilder().setModelId("m").setModelVersion(1).setScoredAt(at)
                .setProbabilities(Map.of("0", 1 - positive, "1", positive)).build();
    }

    @Test
    void theReliabilityTableAndTheExpectedCalibrationErrorComeFromThePositiveClassProbability() {
        final FeedbackStats stats = new FeedbackStats("1");
        // bin [0.2, 0.3): predicted 0.25 twice, observed once in two: |0.5 - 0.5| error 0.25 on 2 of 4
        stats.joined(scored(0.25, 0), "1", 1_000);
        stats.joined(scored(0.25, 0), "0", 2_000);
        // bin [0.9, 1): predicted 0.95 twice, never observed (expired as negatives): error 0.95 on 2 of 4
        stats.expired(scored(0.95, 0), "0");
        stats.expired(scored(0.95, 0), "0");
        stats.expired(scored(0.5, 0), null); // dropped: no observation
        stats.late("m");
        stats.duplicate("m");
        final JsonNode table = stats.calibration("m");
        assertEquals(4, table.get("observations").asLong());
        assertEquals(2, table.at("/bins/2/count").asLong());
        assertEquals(0.25, table.at("/bins/2/mean_predicted").asDouble(), 1e-12);
        assertEquals(0.5, table.at("/bins/2/observed_rate").asDouble(), 1e-12);
        assertEquals(0.0, table.at("/bins/9/observed_rate").asDouble(), 1e-12);
        assertTrue(table.at("/bins/0/mean_predicted").isNull());
        assertEquals((2 * 0.25 + 2 * 0.95) / 4, table.get("expected_calibration_error").asDouble(), 1e-12);
        assertEquals(2, table.get("joined").asLong());
        assertEquals(2, table.get("expired_default_label").asLong());
        assertEquals(1, table.get("expired_dropped").asLong());
        assertEquals(1, table.get("late").asLong());
        assertEquals(1, table.get("duplicate").asLong());
        assertNull(stats.calibration("other"));
    }

    @Test
    void theMetersShowRatesCountsTheDelayHistogramAndTheCalibrationErrorPerModel() {
        final FeedbackStats stats = new FeedbackStats("1");
        stats.joined(scored(0.25, 0), "1", 1_500); // before the registry: registered when bound
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        stats.bindTo(registry);
        stats.joined(scored(0.25, 0), "1", 3_000);
        stats.expired(scored(0.25, 0), "0");
        final String text = registry.scrape();
        assertTrue(text.contains("olr_feedback_outcomes_total{model=\"m\",result=\"joined\"} 2.0"), text);
        assertTrue(text.contains("olr_feedback_outcomes_total{model=\"m\",result=\"expired_default_label\"} 1.0"),
                text);
        assertTrue(text.contains("olr_feedback_join_rate{model=\"m\"} 0.6666666666666666"), text);
        assertTrue(text.contains("olr_feedback_default_label_rate{model=\"m\"} 0.3333333333333333"), text);
        assertTrue(text.contains("olr_feedback_delay_seconds_count{model=\"m\"} 1"), text);
        // the 3 s delay is in the first bucket from 3 s on, not in those below
        assertTrue(text.contains("olr_feedback_delay_seconds_bucket{model=\"m\",le=\"2.863311529\"} 0"), text);
        assertTrue(text.contains("olr_feedback_delay_seconds_bucket{model=\"m\",le=\"3.22122547\"} 1"), text);
        // observed 2 of 3 against 0.25 predicted: |0.75 - 2| / 3
        assertTrue(text.contains("olr_feedback_calibration_error{model=\"m\"} " + Math.abs(0.75 - 2) / 3), text);
    }

    @Test
    void aSoftmaxModelIsCalibratedOnTheProbabilityOfTheClassItPredicted() {
        final FeedbackStats stats = new FeedbackStats(null);
        stats.joined(ScoredEvent.newBuilder().setModelId("s").setModelVersion(1).setScoredAt(0)
                .setProbabilities(Map.of("a", 0.7, "b", 0.2, "c", 0.1)).build(), "a", 10);
        final JsonNode table = stats.calibration("s");
        assertEquals(1, table.at("/bins/7/count").asLong());
        assertEquals(1.0, table.at("/bins/7/observed_rate").asDouble());
    }
}
