package io.kafkaolr.topology;

import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.avro.Outcome;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.serde.Topic;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Everything the topology needs, validated. Built by the app from properties
 * ({@code io.kafkaolr.config.OlrConfig}); tests build it directly.
 *
 * @param applicationId the Kafka Streams application id: it names the training store's
 *     changelog, which is also the model topic (see {@link #modelTopic()})
 * @param role what this application does: train and score, only train, or only score
 *     (from the model topic of {@code modelsFrom}); dedicated roles scale apart
 * @param modelsFrom the application id of the training application whose models are scored:
 *     {@code applicationId} itself unless the role is {@link Role#SCORING}
 * @param examplesTopic labeled examples in, keyed by model id
 * @param eventsTopic unlabeled events in, keyed any way
 * @param predictionsTopic predictions out, keyed like their events
 * @param deadLettersTopic records that could not be used, with the reason
 * @param format the wire format of examples, events, predictions and dead letters
 * @param modelDefaults the settings a model gets when its first example arrives
 * @param limits how far input may make state and outputs grow ({@link Limits}: record size and
 *     features per record among them)
 * @param requireModelIdKey refuse examples whose record key is not their model id (see README)
 * @param examplesPartitions the examples topic's partition count, to check that every example
 *     is on its model's partition (Kafka's default partitioner); 0 skips the check
 * @param weightsStore where the training store keeps its entries (changelogged either way)
 * @param modelStore where the scoring side's global copy of the models lives (rebuilt from
 *     the model topic either way)
 * @param weightsCache put Kafka Streams' record cache in front of the training store: fewer
 *     changelog records when the same features recur within a commit interval, more cost per
 *     access (see BENCHMARKS.md)
 * @param featureNames store the names of each row's features when the row is created (one
 *     entry per new row: what the weights endpoint and the export name features by)
 * @param metrics where and how often the training side publishes each model's progressive metrics
 * @param feedback whether scoring remembers what it scored and joins it to outcomes ({@link Feedback})
 */
public record TopologyConfig(
        String applicationId,
        Role role,
        String modelsFrom,
        String examplesTopic,
        String eventsTopic,
        String predictionsTopic,
        String deadLettersTopic,
        RecordFormat format,
        ModelSettings modelDefaults,
        Limits limits,
        boolean requireModelIdKey,
        int examplesPartitions,
        StoreKind weightsStore,
        StoreKind modelStore,
        boolean weightsCache,
        boolean featureNames,
        MetricsOutput metrics,
        Feedback feedback) {


    /** What an application does. */
    public enum Role {
        /** Train and score: one application does everything. */
        ALL,
        /** Only train: no scoring branch, so no global copy of the models to keep up to date. */
        TRAINING,
        /** Only score, the models of another (training) application. */
        SCORING;


        /** Whether this role trains. */
        public boolean trains() {
            return this != SCORING;
        }

        /** Whether this role scores. */
        public boolean scores() {
            return this != TRAINING;
        }
    }

    /** The kind of a state store. */
    public enum StoreKind {
        /** RocksDB on local disk: models larger than memory. */
        ROCKSDB,
        /** A hash table on the heap: fastest; rebuilt from its changelog or the model topic at start. */
        MEMORY;

    }

    /**
     * The metrics topic.
     *
     * @param topic progressive metrics out, one record per model that learned since the last
     *     publication, keyed by model id
     * @param interval how often (wall-clock time)
     * @param aucWindow binary models' AUC covers the latest {@code aucWindow} progressive
     *     predictions, kept in the training store (so exactly once, like the model)
     */
    public record MetricsOutput(String topic, Duration interval, int aucWindow) {
        /** The default: {@code olr-metrics} every 10 s, AUC over the last 1000 examples. */
        public static final MetricsOutput DEFAULT = new MetricsOutput("olr-metrics", Duration.ofSeconds(10), 1000);

        /** Validates. */
        public MetricsOutput {
            Objects.requireNonNull(topic, "topic");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the metrics interval must be positive, got " + interval);
            }
            if (aucWindow < 1 || aucWindow > 1_000_000) {
                throw new IllegalArgumentException("the AUC window must be in [1, 1000000], got " + aucWindow);
            }
        }
    }

    /**
     * Learning from outcomes: with {@code enabled}, every scored event is remembered for
     * {@code window} (wall-clock time) under its id; an outcome on {@code outcomesTopic} within
     * the window makes it a labeled example on the examples topic, and at the window's end it
     * becomes an example labeled {@code defaultLabel}, or is dropped when that is empty.
     *
     * @param enabled whether the scoring branch remembers and joins (off: no store, no topic)
     * @param outcomesTopic outcomes in, keyed by event id
     * @param window how long an outcome may take, from the moment the event is remembered
     * @param defaultLabel the label of an event without outcome; empty drops it
     */
    public record Feedback(boolean enabled, String outcomesTopic, Duration window, String defaultLabel) {
        /** Off, with the default outcomes topic, a 30-minute window and no default label. */
        public static final Feedback OFF = new Feedback(false, "olr-outcomes", Duration.ofMinutes(30), "");

        /** Validates. */
        public Feedback {
            Objects.requireNonNull(outcomesTopic, "outcomesTopic");
            Objects.requireNonNull(defaultLabel, "defaultLabel");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the feedback window must be positive, got " + window);
            }
        }

        /** Whether an event without outcome becomes an example (labeled {@link #defaultLabel()}). */
        public boolean labelsExpired() {
            return !defaultLabel.isEmpty();
        }
    }

    /** Validates the configuration. */
    public TopologyConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(examplesTopic, "examplesTopic");
        Objects.requireNonNull(eventsTopic, "eventsTopic");
        Objects.requireNonNull(predictionsTopic, "predictionsTopic");
        Objects.requireNonNull(deadLettersTopic, "deadLettersTopic");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modelDefaults, "modelDefaults");
        Objects.requireNonNull(weightsStore, "weightsStore");
        Objects.requireNonNull(modelStore, "modelStore");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(modelsFrom, "modelsFrom");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(feedback, "feedback");
        if (applicationId.isBlank()) {
            throw new IllegalArgumentException("application id must not be blank");
        }
        if (role.trains() && !modelsFrom.equals(applicationId)) {
            throw new IllegalArgumentException("a training application's models are its own: models from '"
                    + modelsFrom + "' needs the scoring role (application '" + applicationId + "')");
        }
        Objects.requireNonNull(limits, "limits");
        if (examplesPartitions < 0) {
            throw new IllegalArgumentException("examples partitions must be >= 0, got " + examplesPartitions);
        }
    }

    /** The most features one record may name. */
    public int maxFeatures() {
        return limits.features();
    }

    /** The largest record accepted (value, key and headers together); larger ones are not parsed. */
    public int maxRecordBytes() {
        return limits.recordBytes();
    }

    /**
     * Refuses a record larger than {@link #maxRecordBytes()}, its value, key and headers
     * together, before anything parses it: what the processor copies into its outputs (the key,
     * the headers of an event) is then bounded too.
     */
    public void requireAcceptableSize(final byte[] key, final byte[] value, final Headers headers) {
        long headerBytes = 0;
        for (final Header header : headers) {
            headerBytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        final long size = (value == null ? 0 : value.length) + (key == null ? 0 : key.length) + headerBytes;
        if (size > limits.recordBytes()) {
            throw new RejectedInputException(RejectReason.RECORD_TOO_LARGE, size
                    + " bytes (value, key and headers), more than the limit of " + limits.recordBytes()
                    + " (olr.max-record-bytes)");
        }
        if (headerBytes > limits.recordHeadersBytes()) {
            throw Limits.exceeded("the record's headers in bytes", headerBytes, limits.recordHeadersBytes(),
                    "olr.limits.record-headers-bytes");
        }
    }

    /** The default topic names and stores, with the given application id, format and model settings. */
    public static TopologyConfig defaults(final String applicationId, final RecordFormat format,
                                          final ModelSettings modelDefaults) {
        return new TopologyConfig(applicationId, Role.ALL, applicationId, "olr-examples", "olr-events",
                "olr-predictions", "olr-dead-letters", format, modelDefaults, Limits.DEFAULT, true, 0,
                StoreKind.MEMORY, StoreKind.MEMORY, false, true, MetricsOutput.DEFAULT, Feedback.OFF);
    }

    /**
     * The model topic: the training store's changelog, {@code <application.id>-model-weights-changelog}
     * of the training application, compacted, one entry per (model, feature) row plus one
     * header per model, written in the same transactions as everything else. Scoring reads it
     * into a global store.
     */
    public String modelTopic() {
        return modelTopic(modelsFrom);
    }

    /**
     * The control topic: {@code <examples topic>-control}, with the examples topic's partition
     * count and partitioning (key = model id), so that each model's commands reach the task that
     * learns it (see {@code ModelCommand.avsc}).
     */
    public String controlTopic() {
        return examplesTopic + "-control";
    }

    /**
     * The topic through which scoring hands what it scored to the feedback join, keyed by event
     * id: {@code <application.id>-feedback-scored}, with the outcomes topic's partition count,
     * so that an event and its outcome reach the same task whatever the events are keyed by.
     */
    public String feedbackScoredTopic() {
        return applicationId + "-feedback-scored";
    }

    /** The outcomes topic ({@link Feedback#outcomesTopic()}): what became of scored events. */
    public Topic<Outcome> outcomes() {
        return new Topic<>(feedback.outcomesTopic(), format.codec(Outcome.class));
    }

    /** The examples topic: labeled examples in. */
    public Topic<LabeledExample> examples() {
        return new Topic<>(examplesTopic, format.codec(LabeledExample.class));
    }

    /** The events topic: unlabeled events in. */
    public Topic<Event> events() {
        return new Topic<>(eventsTopic, format.codec(Event.class));
    }

    /** The predictions topic: one prediction per event out. */
    public Topic<Prediction> predictions() {
        return new Topic<>(predictionsTopic, format.codec(Prediction.class));
    }

    /** The dead-letter topic: records that could not be used, with the reason. */
    public Topic<DeadLetter> deadLetters() {
        return new Topic<>(deadLettersTopic, format.codec(DeadLetter.class));
    }

    /** The control topic ({@link #controlTopic()}): imports and deletes of models. */
    public Topic<ModelCommand> commands() {
        return new Topic<>(controlTopic(), format.codec(ModelCommand.class));
    }

    /** The metrics topic ({@link MetricsOutput#topic()}): each model's progressive metrics. */
    public Topic<ModelMetrics> progressiveMetrics() {
        return new Topic<>(metrics.topic(), format.codec(ModelMetrics.class));
    }

    /** The model topic of the training application {@code trainingApplicationId}. */
    public static String modelTopic(final String trainingApplicationId) {
        return trainingApplicationId + "-" + OlrTopology.WEIGHTS_STORE + "-changelog";
    }

    /** A copy with another role for this application: {@link Role#ALL} or {@link Role#TRAINING}. */
    public TopologyConfig withRole(final Role newRole) {
        return toBuilder().role(newRole).modelsFrom(applicationId).build();
    }

    /** A copy that only scores, the models of {@code trainingApplicationId}, under {@code scoringApplicationId}. */
    public TopologyConfig scoringOnly(final String scoringApplicationId, final String trainingApplicationId) {
        return toBuilder().applicationId(scoringApplicationId).role(Role.SCORING).modelsFrom(trainingApplicationId)
                .build();
    }

    /** A copy that checks examples against a topic of {@code partitions} partitions. */
    public TopologyConfig withExamplesPartitions(final int partitions) {
        return toBuilder().examplesPartitions(partitions).build();
    }

    /** A copy that publishes metrics as {@code newMetrics} says. */
    public TopologyConfig withMetrics(final MetricsOutput newMetrics) {
        return toBuilder().metrics(newMetrics).build();
    }

    /** A copy with other record and feature limits. */
    public TopologyConfig withLimits(final int features, final int recordBytes) {
        return withLimits(limits.withRecord(features, recordBytes));
    }

    /** A copy with other limits. */
    public TopologyConfig withLimits(final Limits newLimits) {
        return toBuilder().limits(newLimits).build();
    }

    /** A copy that stores feature names, or not. */
    public TopologyConfig withFeatureNames(final boolean names) {
        return toBuilder().featureNames(names).build();
    }

    /** A builder that starts from this configuration: the one way to derive another. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A builder starting from {@link #defaults}: the default topics, stores and limits, under
     * {@code applicationId}, with {@code format} and {@code modelDefaults}.
     */
    public static Builder builder(final String applicationId, final RecordFormat format,
                                  final ModelSettings modelDefaults) {
        return defaults(applicationId, format, modelDefaults).toBuilder();
    }

    /** Builds a {@link TopologyConfig} field by field; {@link #build()} validates. */
    public static final class Builder {
        private String applicationId;
        private Role role;
        private String modelsFrom;
        private String examplesTopic;
        private String eventsTopic;
        private String predictionsTopic;
        private String deadLettersTopic;
        private RecordFormat format;
        private ModelSettings modelDefaults;
        private Limits limits;
        private boolean requireModelIdKey;
        private int examplesPartitions;
        private StoreKind weightsStore;
        private StoreKind modelStore;
        private boolean weightsCache;
        private boolean featureNames;
        private MetricsOutput metrics;
        private Feedback feedback;

        private Builder(final TopologyConfig from) {
            applicationId = from.applicationId;
            role = from.role;
            modelsFrom = from.modelsFrom;
            examplesTopic = from.examplesTopic;
            eventsTopic = from.eventsTopic;
            predictionsTopic = from.predictionsTopic;
            deadLettersTopic = from.deadLettersTopic;
            format = from.format;
            modelDefaults = from.modelDefaults;
            limits = from.limits;
            requireModelIdKey = from.requireModelIdKey;
            examplesPartitions = from.examplesPartitions;
            weightsStore = from.weightsStore;
            modelStore = from.modelStore;
            weightsCache = from.weightsCache;
            featureNames = from.featureNames;
            metrics = from.metrics;
            feedback = from.feedback;
        }

        /**
         * Sets {@link TopologyConfig#applicationId()}; a training role's models are its own, so
         * {@link TopologyConfig#modelsFrom()} follows unless set after this.
         */
        public Builder applicationId(final String value) {
            if (role == null || role.trains()) {
                modelsFrom = value;
            }
            applicationId = value;
            return this;
        }

        /** Sets {@link TopologyConfig#role()}. */
        public Builder role(final Role value) {
            role = value;
            return this;
        }

        /** Sets {@link TopologyConfig#modelsFrom()}. */
        public Builder modelsFrom(final String value) {
            modelsFrom = value;
            return this;
        }

        /** Sets {@link TopologyConfig#examplesTopic()}. */
        public Builder examplesTopic(final String value) {
            examplesTopic = value;
            return this;
        }

        /** Sets {@link TopologyConfig#eventsTopic()}. */
        public Builder eventsTopic(final String value) {
            eventsTopic = value;
            return this;
        }

        /** Sets {@link TopologyConfig#predictionsTopic()}. */
        public Builder predictionsTopic(final String value) {
            predictionsTopic = value;
            return this;
        }

        /** Sets {@link TopologyConfig#deadLettersTopic()}. */
        public Builder deadLettersTopic(final String value) {
            deadLettersTopic = value;
            return this;
        }

        /** Sets {@link TopologyConfig#format()}. */
        public Builder format(final RecordFormat value) {
            format = value;
            return this;
        }

        /** Sets {@link TopologyConfig#modelDefaults()}. */
        public Builder modelDefaults(final ModelSettings value) {
            modelDefaults = value;
            return this;
        }

        /** Sets {@link TopologyConfig#limits()}. */
        public Builder limits(final Limits value) {
            limits = value;
            return this;
        }

        /** Sets {@link TopologyConfig#requireModelIdKey()}. */
        public Builder requireModelIdKey(final boolean value) {
            requireModelIdKey = value;
            return this;
        }

        /** Sets {@link TopologyConfig#examplesPartitions()}. */
        public Builder examplesPartitions(final int value) {
            examplesPartitions = value;
            return this;
        }

        /** Sets {@link TopologyConfig#weightsStore()}. */
        public Builder weightsStore(final StoreKind value) {
            weightsStore = value;
            return this;
        }

        /** Sets {@link TopologyConfig#modelStore()}. */
        public Builder modelStore(final StoreKind value) {
            modelStore = value;
            return this;
        }

        /** Sets {@link TopologyConfig#weightsCache()}. */
        public Builder weightsCache(final boolean value) {
            weightsCache = value;
            return this;
        }

        /** Sets {@link TopologyConfig#featureNames()}. */
        public Builder featureNames(final boolean value) {
            featureNames = value;
            return this;
        }

        /** Sets {@link TopologyConfig#metrics()}. */
        public Builder metrics(final MetricsOutput value) {
            metrics = value;
            return this;
        }

        /** Sets {@link TopologyConfig#feedback()}. */
        public Builder feedback(final Feedback value) {
            feedback = value;
            return this;
        }

        /** The configuration, validated. */
        public TopologyConfig build() {
            return new TopologyConfig(applicationId, role, modelsFrom, examplesTopic, eventsTopic, predictionsTopic,
                    deadLettersTopic, format, modelDefaults, limits, requireModelIdKey, examplesPartitions,
                    weightsStore, modelStore, weightsCache, featureNames, metrics, feedback);
        }
    }
}
