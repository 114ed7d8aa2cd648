package io.kafkaolr.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.serde.RecordFormat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configuration's one way of deriving another: every field carried over unless set. */
class TopologyConfigTest {
    private final TopologyConfig base = TopologyConfig.builder("app", RecordFormat.JSON, ModelSettings.binary(0.1,
            io.kafkaolr.core.LearningRateSchedule.CONSTANT)).examplesTopic("ex").weightsStore(
            TopologyConfig.StoreKind.ROCKSDB).examplesPartitions(3).featureNames(false).build();

    @Test
    void aBuilderFromAConfigurationBuildsAnEqualOne() {
        assertEquals(base, base.toBuilder().build());
    }

    @Test
    void eachCopyChangesOnlyWhatItNames() {
        final TopologyConfig.MetricsOutput metrics = new TopologyConfig.MetricsOutput("m", Duration.ofSeconds(1), 7);
        assertEquals(base.toBuilder().metrics(metrics).build(), base.withMetrics(metrics));
        assertEquals(base.toBuilder().examplesPartitions(5).build(), base.withExamplesPartitions(5));
        assertEquals(base.toBuilder().featureNames(true).build(), base.withFeatureNames(true));
        assertEquals(base.toBuilder().limits(Limits.DEFAULT.withRecord(9, 999)).build(), base.withLimits(9, 999));
        final TopologyConfig training = base.withRole(TopologyConfig.Role.TRAINING);
        assertEquals(TopologyConfig.Role.TRAINING, training.role());
        assertEquals(base.toBuilder().role(TopologyConfig.Role.TRAINING).build(), training);
    }

    @Test
    void aScoringCopyReadsTheTrainingApplicationsModelTopic() {
        final TopologyConfig scoring = base.scoringOnly("scorer", "app");
        assertEquals("scorer", scoring.applicationId());
        assertEquals(TopologyConfig.Role.SCORING, scoring.role());
        assertEquals("app", scoring.modelsFrom());
        assertEquals(TopologyConfig.modelTopic("app"), scoring.modelTopic());
        assertEquals(base.examplesTopic(), scoring.examplesTopic());
        assertEquals(base.weightsStore(), scoring.weightsStore());
    }

    @Test
    void theBuilderValidates() {
        // a training application's models are its own
        assertThrows(IllegalArgumentException.class, () -> base.toBuilder().modelsFrom("other").build());
        assertThrows(IllegalArgumentException.class, () -> base.toBuilder().examplesPartitions(-1).build());
        // the application id carries the model topic along for a training role
        assertEquals("renamed", base.toBuilder().applicationId("renamed").build().modelsFrom());
    }
}
