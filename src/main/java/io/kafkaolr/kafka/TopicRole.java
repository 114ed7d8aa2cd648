package io.kafkaolr.kafka;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.avro.Outcome;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.topology.TopologyConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * What a topic carries: lets commands accept {@code --topic predictions} as well as a topic name.
 * Every topic {@code olr run} creates or uses has a role.
 */
public enum TopicRole {
    EXAMPLES(LabeledExample.class),
    EVENTS(Event.class),
    PREDICTIONS(Prediction.class),
    DEAD_LETTERS(DeadLetter.class),
    /** The progressive metrics each model publishes ({@code olr.topic.metrics}). */
    METRICS(ModelMetrics.class),
    /** The model commands: imports and deletions. */
    CONTROL(ModelCommand.class),
    MODEL(null),
    /** What became of scored events, keyed by event id ({@code olr.topic.outcomes}). */
    OUTCOMES(Outcome.class),
    OTHER(null);

    private final Class<? extends SpecificRecordBase> recordType;

    TopicRole(final Class<? extends SpecificRecordBase> recordType) {
        this.recordType = recordType;
    }

    /** The Avro type of the records this role's topic carries; null for the model topic and other topics. */
    public Class<? extends SpecificRecordBase> recordType() {
        return recordType;
    }

    /** The configured topic name of this role. */
    String topic(final TopologyConfig t) {
        return switch (this) {
            case EXAMPLES -> t.examplesTopic();
            case EVENTS -> t.eventsTopic();
            case PREDICTIONS -> t.predictionsTopic();
            case DEAD_LETTERS -> t.deadLettersTopic();
            case METRICS -> t.metrics().topic();
            case CONTROL -> t.controlTopic();
            case OUTCOMES -> t.feedback().outcomesTopic();
            case MODEL -> t.modelTopic();
            case OTHER -> throw new IllegalStateException("no configured topic");
        };
    }

    /** The role named by {@code nameOrRole}: a role such as {@code predictions}, or a configured topic's name. */
    public static TopicRole of(final String nameOrRole, final TopologyConfig t) {
        final String normalized = nameOrRole.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (final TopicRole role : values()) {
            if (role != OTHER && (role.name().equals(normalized) || role.topic(t).equals(nameOrRole))) {
                return role;
            }
        }
        return OTHER;
    }

    /** The names of the roles, as {@code --topic} takes them: {@code predictions}, {@code dead-letters}... */
    public static List<String> roleNames() {
        return Arrays.stream(values()).filter(role -> role != OTHER)
                .map(role -> role.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }

    /** The topic to use for {@code nameOrRole}. */
    public static String topicName(final String nameOrRole, final TopologyConfig t) {
        final TopicRole role = of(nameOrRole, t);
        return role == OTHER ? nameOrRole : role.topic(t);
    }
}
