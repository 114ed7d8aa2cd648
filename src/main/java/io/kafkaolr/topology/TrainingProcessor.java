package io.kafkaolr.topology;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Learner;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The training branch: decode and validate a labeled example, predict it with the model's
 * current weights (progressive validation), and take one step. The task's models are held in
 * memory ({@link TaskModels}): a step reads and writes only the rows of the example's features
 * there, with no store access and no encoding. The rows, names, AUC-window entries and headers
 * that changed since the last commit are written to the store once per commit, just before it
 * ({@link BeforeCommitStore}), so every changed row reaches the store's changelog, which is the
 * model topic, once per commit, in the transaction that commits the examples that changed it.
 * Scoring instances see a change once that transaction commits.
 *
 * <p>A wall-clock punctuation publishes the progressive metrics of the models that learned
 * since the last one.
 */
final class TrainingProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final TopologyConfig config;
    private final String controlTopic;
    private final ModelDirectory directory;
    private final BeforeCommitStore.Callbacks beforeCommit;
    private final FeatureHasher hasher;
    private final RecordCodec<LabeledExample> codec;

    private ProcessorContext<byte[], byte[]> context;
    private DeadLetters deadLetters;
    private Sensor learned;
    private Sensor commandsApplied;
    private ModelCommands commands;
    private TaskId taskId;
    private TaskModels models;
    private final RecordCodec<ModelMetrics> metricsCodec;
    // models whose metrics changed since the last publication; after a restart a model is
    // published again once it learns
    private final Set<String> learnedSincePublished = new LinkedHashSet<>();
    private final UnexpectedErrors unexpected = new UnexpectedErrors();
    private Sensor punctuationErrors;
    // the indices of an example that have no row yet (reused: most examples create none)
    private int[] absent = new int[16];
    // the step's arithmetic, with its buffers: a step allocates nothing
    private final Learner learner = new Learner();

    TrainingProcessor(final TopologyConfig config, final ModelDirectory directory,
                      final BeforeCommitStore.Callbacks beforeCommit) {
        this.config = config;
        this.controlTopic = config.controlTopic();
        this.directory = directory;
        this.beforeCommit = beforeCommit;
        this.hasher = new FeatureHasher(config.modelDefaults().hashBits());
        this.codec = config.examples().codec();
        this.metricsCodec = config.progressiveMetrics().codec();
    }

    @Override
    public void init(final ProcessorContext<byte[], byte[]> processorContext) {
        this.context = processorContext;
        final KeyValueStore<Bytes, byte[]> store = processorContext.getStateStore(OlrTopology.WEIGHTS_STORE);
        this.deadLetters = new DeadLetters(processorContext, OlrTopology.TRAINING_DEAD_LETTERS_SINK, config,
                "training");
        this.learned = ProcessorMetrics.latencySensor(processorContext, "training", "examples-learned");
        this.commandsApplied = ProcessorMetrics.sensor(processorContext, "training", "commands-applied");
        final int hashBits = hasher.bits();
        this.commands = new ModelCommands(store, processorContext.getStateStore(OlrTopology.IMPORTS_STORE),
                config.commands().codec(), hashBits, config.limits(),
                config.metrics().aucWindow());
        this.punctuationErrors = ProcessorMetrics.sensor(processorContext, "training", "punctuation-errors");
        this.taskId = processorContext.taskId();
        // the store is restored before processors start: the models are read from it here, and
        // again whenever the task starts anew (after a crash, a fenced transaction or a rebalance)
        final Set<String> listed = ConcurrentHashMap.newKeySet();
        this.models = new TaskModels(store, hashBits, config.metrics().aucWindow(), listed);
        models.loadAll();
        learnedSincePublished.clear();
        beforeCommit.register(taskId, models::writeChanged);
        directory.openTrainingTask(taskId, listed);
        processorContext.schedule(config.metrics().interval(), PunctuationType.WALL_CLOCK_TIME, this::publishMetrics);
    }

    @Override
    public void close() {
        // what was not committed is dropped: the next incarnation of the task reads the store
        beforeCommit.unregister(taskId);
        directory.closeTrainingTask(taskId);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final boolean command = context.recordMetadata()
                .map(m -> m.topic().equals(controlTopic)).orElse(false);
        try {
            if (command) {
                applyCommand(record);
                commandsApplied.record();
            } else {
                final long start = System.nanoTime();
                learn(record);
                learned.record(System.nanoTime() - start);
            }
        } catch (final RejectedInputException e) {
            deadLetters.send(record, e.reason(), e.getMessage());
        } catch (final RuntimeException e) {
            // a step changes the model only once it is whole, and a command's writes are made only
            // after it is validated, so a failure leaves the model as it was: the record costs itself alone
            deadLetters.send(record, RejectReason.INTERNAL_ERROR, unexpected.report(e, context));
        }
    }

    private void applyCommand(final Record<byte[], byte[]> record) {
        final ModelCommand command = commands.decode(record.value());
        final String modelId = command.getModelId();
        ModelIds.validate(modelId);
        checkRouting(record, modelId);
        // the store first gets what the model learned since the last commit: the command reads or replaces it there
        models.writeChanged(modelId);
        commands.apply(command, models.ids());
        // the model as the command left it in the store (the model directory follows)
        models.reload(modelId);
        learnedSincePublished.remove(modelId);
    }

    private void learn(final Record<byte[], byte[]> record) {
        config.requireAcceptableSize(record.key(), record.value(), record.headers());
        final LabeledExample example = codec.decode(record.value());
        final String modelId = example.getModelId();
        ModelIds.validate(modelId);
        checkRouting(record, modelId);
        final String label = example.getLabel();
        if (label.isEmpty()) {
            throw new RejectedInputException(RejectReason.MISSING_FIELD, "label is empty");
        }
        final Limits limits = config.limits();
        limits.checkLabel(label);
        if (example.getId() != null) {
            limits.checkId("the example id", example.getId());
        }
        final Features features = new Features(example.getNumericFeatures(), example.getCategoricalFeatures());
        TaskModels.Model model = models.get(modelId);
        // hashed with the crosses of the model, or of the one this example would create
        final Interactions interactions = model == null ? config.modelDefaults().interactions()
                : model.state.settings().interactions();
        final FeatureHasher.Hashed hashed = hasher.hash(features, config.maxFeatures(), interactions);
        limits.checkFeatureNames(features);
        final SparseVector x = hashed.vector();

        if (model == null) {
            if (models.size() >= limits.modelsPerTask()) {
                throw Limits.exceeded("the models of this task", models.size() + 1, limits.modelsPerTask(),
                        "olr.limits.models-per-task");
            }
            model = models.create(modelId, ModelState.fresh(config.modelDefaults()));
        }
        final ModelState state = model.state;
        if (state.settings().allowNewClasses() && !state.classes().contains(label)) {
            checkNewClass(state, label, limits);
        }
        // every check before the step: the step changes the model in memory, and only when it succeeds
        final int created = absentRows(model, x);
        final int rows = model.rows.size() + created;
        if (rows > limits.rowsPerModel()) {
            throw Limits.exceeded("the model's rows", rows, limits.rowsPerModel(), "olr.limits.rows-per-model");
        }
        learner.learn(state, x, label, example.getImportance(), model.rows);
        // from here on the model has learned the example: it is written at the next commit, whatever follows
        models.changed(model);
        if (config.featureNames() && created > 0) {
            nameNewRows(model, FeatureHasher.names(features, interactions), hashed.nameIndices(), created);
        }
        if (state.settings().type() == ModelType.BINARY) {
            model.window.add(state.version(), learner.probability(1), learner.labelIndex() == 1);
        }
        learnedSincePublished.add(modelId);
    }

    /** Refuses a class that would take the model past its class or header limits. */
    private static void checkNewClass(final ModelState state, final String label, final Limits limits) {
        if (state.classes().size() >= limits.classes()) {
            throw Limits.exceeded("the model's classes", state.classes().size() + 1, limits.classes(),
                    "olr.limits.classes");
        }
        // the header grows by the label (at most 3 bytes a char, and its length), the class's
        // bias state, its count and its open mini-batch gradient: checked before the step changes anything
        final int spl = state.settings().optimizer().slotsPerLogit();
        final long grown = ModelStateCodec.encodeHeader(state).length + 2L + 3L * label.length() + 8L * spl + 16;
        if (grown > limits.modelHeaderBytes()) {
            throw Limits.exceeded("the model header's size in bytes", grown, limits.modelHeaderBytes(),
                    "olr.limits.model-header-bytes");
        }
    }

    /** Counts the indices of {@code x} the model has no row for, and keeps them, increasing, in {@link #absent}. */
    private int absentRows(final TaskModels.Model model, final SparseVector x) {
        int n = 0;
        for (int j = 0; j < x.size(); j++) {
            final int index = x.indexAt(j);
            if (!model.rows.contains(index)) {
                if (n == absent.length) {
                    absent = Arrays.copyOf(absent, 2 * n);
                }
                absent[n++] = index;
            }
        }
        return n;
    }

    /**
     * Keeps the names of the features whose rows this example created, written with them at the
     * next commit (one entry per new row, none once a model has seen its features): what the
     * weights endpoint and the export show.
     */
    private void nameNewRows(final TaskModels.Model model, final List<String> names, final int[] nameIndices,
                             final int created) {
        final int most = config.limits().namesPerRow();
        int k = 0;
        for (final String name : names) {
            final int index = nameIndices[k++];
            if (isAmong(index, absent, created) && ModelSnapshot.keepsName(name)) {
                final List<String> list = model.newNames.computeIfAbsent(index, i -> new ArrayList<>(1));
                if (list.size() < most) {
                    list.add(name);
                }
            }
        }
    }

    /** Whether {@code index} is among the first {@code n} of {@code indices}, which increase (as a vector's do). */
    private static boolean isAmong(final int index, final int[] indices, final int n) {
        return Arrays.binarySearch(indices, 0, n, index) >= 0;
    }

    private void checkRouting(final Record<byte[], byte[]> record, final String modelId) {
        if (config.requireModelIdKey()
                && (record.key() == null || !Arrays.equals(record.key(), modelId.getBytes(StandardCharsets.UTF_8)))) {
            throw new RejectedInputException(RejectReason.KEY_MISMATCH, "the record key ("
                    + (record.key() == null ? "null" : "'" + new String(record.key(), StandardCharsets.UTF_8) + "'")
                    + ") is not the model id '" + modelId + "': examples of one model must share one partition");
        }
        if (config.examplesPartitions() > 0) {
            final int expected = ModelIds.partitionOf(record.key(), config.examplesPartitions());
            final int actual = context.recordMetadata().map(RecordMetadata::partition).orElse(expected);
            if (actual != expected) {
                throw new RejectedInputException(RejectReason.WRONG_PARTITION, "model '" + modelId
                        + "' is learned on partition " + expected + " of " + config.examplesPartitions()
                        + ", this example is on partition " + actual + ": produce with Kafka's default partitioner "
                        + "(murmur2 of the key; kcat: -X topic.partitioner=murmur2_random)");
            }
        }
    }

    /** Publishes the progressive metrics of every model that learned since the last publication. */
    private void publishMetrics(final long now) {
        for (final String modelId : learnedSincePublished) {
            try {
                publishMetrics(modelId, now);
            } catch (final RuntimeException e) {
                // one model's figures are skipped this time; the punctuation, the task and the other models go on
                unexpected.report(e, context);
                punctuationErrors.record();
            }
        }
        learnedSincePublished.clear();
    }

    private void publishMetrics(final String modelId, final long now) {
        final TaskModels.Model held = models.peek(modelId);
        if (held == null || held.state == null) {
            return;
        }
        final ModelState model = held.state;
        final ModelMetrics.Builder metrics = ModelMetrics.newBuilder().setModelId(modelId)
                .setModelVersion(model.version()).setExamples(model.metrics().examples())
                .setProgressiveLogLoss(finiteOrNull(model.metrics().meanLogLoss()))
                .setProgressiveAccuracy(finiteOrNull(model.metrics().accuracy())).setPublishedAt(now);
        final Map<String, Long> counts = new LinkedHashMap<>();
        final long[] classCounts = model.classCounts();
        for (int k = 0; k < classCounts.length; k++) {
            counts.put(model.classes().get(k), classCounts[k]);
        }
        metrics.setClassCounts(counts);
        if (model.settings().type() == ModelType.BINARY) {
            final int window = (int) Math.min(model.version(), held.window.size());
            final double[] scores = new double[window];
            final boolean[] positive = new boolean[window];
            final int n = held.window.latest(model.version(), scores, positive);
            final double auc = RocAuc.rocAuc(Arrays.copyOf(scores, n), Arrays.copyOf(positive, n));
            metrics.setProgressiveAuc(Double.isNaN(auc) ? null : auc).setAucWindowExamples(n);
        }
        context.forward(new Record<>(modelId.getBytes(StandardCharsets.UTF_8),
                metricsCodec.encode(metrics.build()), now), OlrTopology.METRICS_SINK);
    }

    /** A figure over no weight (every example of importance 0) is undefined: null, not NaN. */
    private static Double finiteOrNull(final double value) {
        return Double.isFinite(value) ? value : null;
    }
}
