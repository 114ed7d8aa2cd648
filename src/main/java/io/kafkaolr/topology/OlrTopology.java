package io.kafkaolr.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the whole processor topology from one {@link TopologyConfig}.
 *
 * <pre>
 * examples --> [train] --> store "model-weights" --changelog--> model topic
 * control ---'    |------> dead letters        (store "model-imports": parts of imports)
 *                 '------> metrics (every olr.metrics.interval.ms)
 * model topic --> global model store + in-memory models (every instance)
 * events ---> [score] ---> predictions (keyed like the event)
 *                 '------> dead letters
 *                 '------> feedback-scored (feedback on, keyed by event id)
 * feedback-scored --> [feedback-join] --> examples (an outcome's label, or the default at expiry)
 * outcomes ---------'      |  '---------> dead letters (late, duplicate, unknown outcomes)
 *                          store "feedback-pending" (by event id) + "feedback-expiry" (by deadline)
 * </pre>
 *
 * <p>Training and scoring are separate sub-topologies: they share no store (scoring reads the
 * in-memory models that the global store's updater keeps, {@link ServedModels}), so the events
 * topic needs no co-partitioning with the examples topic and scoring scales with the events
 * topic's partitions. The model topic is the training store's
 * own changelog ({@link TopologyConfig#modelTopic()}): each weight row is written to Kafka
 * once, in the transaction that changes it, and every instance reads the committed rows.
 * Every node and store has an explicit, stable name.
 */
public final class OlrTopology {
    /** The training store: weight rows and model headers, persistent and changelogged. */
    public static final String WEIGHTS_STORE = "model-weights";
    /** The global store fed by the model topic: every model on this instance, for queries and exports. */
    public static final String MODEL_GLOBAL_STORE = "model-global";
    /** The training side's store of the parts of imports whose last part has not arrived. */
    public static final String IMPORTS_STORE = "model-imports";

    /** The feedback join's store of remembered events, by event id. */
    public static final String FEEDBACK_PENDING_STORE = "feedback-pending";
    /** The feedback join's index of the same entries by (deadline, event id). */
    public static final String FEEDBACK_EXPIRY_STORE = "feedback-expiry";

    static final String EXAMPLES_SOURCE = "examples-source";
    static final String CONTROL_SOURCE = "control-source";
    static final String TRAIN = "train";
    static final String TRAINING_DEAD_LETTERS_SINK = "training-dead-letters-sink";
    static final String METRICS_SINK = "metrics-sink";
    static final String MODEL_SOURCE = "model-source";
    static final String MODEL_STORE_UPDATER = "model-store-updater";
    static final String EVENTS_SOURCE = "events-source";
    static final String SCORE = "score";
    static final String PREDICTIONS_SINK = "predictions-sink";
    static final String SCORING_DEAD_LETTERS_SINK = "scoring-dead-letters-sink";
    static final String FEEDBACK_SCORED_SINK = "feedback-scored-sink";
    static final String FEEDBACK_SCORED_SOURCE = "feedback-scored-source";
    static final String OUTCOMES_SOURCE = "outcomes-source";
    static final String FEEDBACK_JOIN = "feedback-join";
    static final String FEEDBACK_EXAMPLES_SINK = "feedback-examples-sink";
    static final String FEEDBACK_DEAD_LETTERS_SINK = "feedback-dead-letters-sink";

    private OlrTopology() {
    }

    private static KeyValueBytesStoreSupplier supplier(final TopologyConfig.StoreKind kind, final String name) {
        return switch (kind) {
            case ROCKSDB -> Stores.persistentKeyValueStore(name);
            case MEMORY -> HashKeyValueStore.supplier(name);
        };
    }

    /** The topology for {@code config}. */
    public static Topology build(final TopologyConfig config) {
        return build(config, new ModelDirectory());
    }

    /**
     * The topology for {@code config}, whose processors keep {@code directory} current (the
     * models this instance holds, for interactive queries).
     */
    public static Topology build(final TopologyConfig config, final ModelDirectory directory) {
        return build(config, directory, FeedbackObserver.NONE);
    }

    /** The topology for {@code config}, keeping {@code directory} current and telling {@code feedback} what the feedback join resolves. */
    public static Topology build(final TopologyConfig config, final ModelDirectory directory,
                                 final FeedbackObserver feedback) {
        final BeforeCommitStore.Callbacks beforeCommit = new BeforeCommitStore.Callbacks();
        final StoreBuilder<KeyValueStore<Bytes, byte[]>> weights = BeforeCommitStore.builder(
                Stores.keyValueStoreBuilder(supplier(config.weightsStore(), WEIGHTS_STORE), Serdes.Bytes(),
                        Serdes.ByteArray()), beforeCommit);
        if (config.weightsCache()) {
            weights.withCachingEnabled();
        }
        // a global store is restored from its source topic: a changelog would only duplicate it
        final StoreBuilder<KeyValueStore<Bytes, byte[]>> global = Stores.keyValueStoreBuilder(
                        supplier(config.modelStore(), MODEL_GLOBAL_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled();

        final Topology topology = new Topology();
        if (config.role().trains()) {
            topology.addSource(EXAMPLES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    config.examplesTopic());
            // commands share the examples' partitioning and task: applied in the same transactions
            topology.addSource(CONTROL_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    config.controlTopic());
            topology.addProcessor(TRAIN, () -> new TrainingProcessor(config, directory, beforeCommit), EXAMPLES_SOURCE,
                    CONTROL_SOURCE);
            topology.addStateStore(weights, TRAIN);
            topology.addStateStore(Stores.keyValueStoreBuilder(supplier(config.weightsStore(), IMPORTS_STORE),
                    Serdes.Bytes(), Serdes.ByteArray()), TRAIN);
            topology.addSink(TRAINING_DEAD_LETTERS_SINK, config.deadLettersTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer(), TRAIN);
            topology.addSink(METRICS_SINK, config.metrics().topic(), new ByteArraySerializer(),
                    new ByteArraySerializer(), TRAIN);
        }
        if (config.role().scores()) {
            // one in-memory copy of the models per topology, so per KafkaStreams instance (each
            // has its own global thread): written by that thread, read by every scoring task
            final ServedModels served = new ServedModels(config.modelDefaults().hashBits());
            topology.addGlobalStore(global, MODEL_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    config.modelTopic(), MODEL_STORE_UPDATER, () -> new ModelStoreUpdater(directory, served));
            topology.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    config.eventsTopic());
            topology.addProcessor(SCORE, () -> new ScoringProcessor(config, served), EVENTS_SOURCE);
            topology.addSink(PREDICTIONS_SINK, config.predictionsTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer(), SCORE);
            topology.addSink(SCORING_DEAD_LETTERS_SINK, config.deadLettersTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer(), SCORE);
            if (config.feedback().enabled()) {
                addFeedback(topology, config, feedback);
            }
        }
        return topology;
    }

    /**
     * The feedback join, a sub-topology of its own: scoring hands each scored event to it
     * through {@link TopologyConfig#feedbackScoredTopic()}, keyed by event id, so that events
     * keyed any way meet their outcomes (keyed by event id) in one task, at the cost of one more
     * write and read of each remembered event.
     */
    private static void addFeedback(final Topology topology, final TopologyConfig config,
                                    final FeedbackObserver observer) {
        topology.addSink(FEEDBACK_SCORED_SINK, config.feedbackScoredTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), SCORE);
        topology.addSource(FEEDBACK_SCORED_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                config.feedbackScoredTopic());
        topology.addSource(OUTCOMES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                config.feedback().outcomesTopic());
        topology.addProcessor(FEEDBACK_JOIN, () -> new FeedbackJoinProcessor(config, observer),
                FEEDBACK_SCORED_SOURCE, OUTCOMES_SOURCE);
        // ordered stores: the expiry index is read by range; RocksDB keeps days of events off the heap
        final boolean rocks = config.weightsStore() == TopologyConfig.StoreKind.ROCKSDB;
        for (final String name : new String[] {FEEDBACK_PENDING_STORE, FEEDBACK_EXPIRY_STORE}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(rocks ? Stores.persistentKeyValueStore(name)
                    : Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()), FEEDBACK_JOIN);
        }
        topology.addSink(FEEDBACK_EXAMPLES_SINK, config.examplesTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), FEEDBACK_JOIN);
        topology.addSink(FEEDBACK_DEAD_LETTERS_SINK, config.deadLettersTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), FEEDBACK_JOIN);
    }
}
