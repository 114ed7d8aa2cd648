package io.kafkaolr.topology;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.core.StepResult;
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
import org.apache.kafka.common.utils.Utils;
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
 * current weights (progressive validation), take one SGD step, and write back only the rows
 * of the example's features and the model's header. O(nnz) store reads and writes per record.
 *
 * <p>Every write reaches the store's changelog, which is the model topic: scoring instances
 * see a change once the transaction that made it commits. A binary model also keeps its last
 * progressive predictions there (the AUC window), and a wall-clock punctuation publishes the
 * progressive metrics of the models that learned since the last one.
 */
final class TrainingProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final TopologyConfig config;
    private final String controlTopic;
    private final ModelDirectory directory;
    private final FeatureHasher hasher;
    private final RecordCodec<LabeledExample> codec;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private DeadLetters deadLetters;
    private Sensor learned;
    private Sensor commandsApplied;
    private ModelHeaders headers;
    private ModelCommands commands;
    private TaskId taskId;
    private Set<String> taskModels;
    private final RecordCodec<ModelMetrics> metricsCodec;
    // models whose metrics changed since the last publication; after a restart a model is
    // published again once it learns
    private final Set<String> learnedSincePublished = new LinkedHashSet<>();
    // the weight rows of each model of the task, for olr.limits.rows-per-model; counted from the store at init
    private final Map<String, Integer> rowCounts = new HashMap<>();
    private final UnexpectedErrors unexpected = new UnexpectedErrors();
    private Sensor punctuationErrors;

    TrainingProcessor(final TopologyConfig config, final ModelDirectory directory) {
        this.config = config;
        this.controlTopic = config.controlTopic();
        this.directory = directory;
        this.hasher = new FeatureHasher(config.modelDefaults().hashBits());
        this.codec = config.format().codec(LabeledExample.class);
        this.metricsCodec = config.format().codec(ModelMetrics.class);
    }

    @Override
    public void init(final ProcessorContext<byte[], byte[]> processorContext) {
        this.context = processorContext;
        this.store = processorContext.getStateStore(OlrTopology.WEIGHTS_STORE);
        this.deadLetters = new DeadLetters(processorContext, OlrTopology.TRAINING_DEAD_LETTERS_SINK, config,
                "training");
        this.learned = ProcessorMetrics.latencySensor(processorContext, "training", "examples-learned");
        this.commandsApplied = ProcessorMetrics.sensor(processorContext, "training", "commands-applied");
        this.headers = new ModelHeaders(hasher.bits());
        this.commands = new ModelCommands(store, processorContext.getStateStore(OlrTopology.IMPORTS_STORE),
                config.format().codec(ModelCommand.class), hasher.bits(), config.limits());
        this.punctuationErrors = ProcessorMetrics.sensor(processorContext, "training", "punctuation-errors");
        this.taskId = processorContext.taskId();
        // the store is restored before processors start: list its models and count their rows once
        // (also after a crash or a fenced transaction: the task is then built anew from its store)
        this.taskModels = ConcurrentHashMap.newKeySet();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                final byte[] key = entry.key.get();
                if (ModelStateCodec.isModelKey(key)) {
                    final ModelStateCodec.Key decoded = ModelStateCodec.decodeKey(key);
                    if (decoded.isHeader()) {
                        taskModels.add(decoded.modelId());
                    } else if (ModelStateCodec.isRow(decoded.index())) {
                        rowCounts.merge(decoded.modelId(), 1, Integer::sum);
                    }
                }
            });
        }
        directory.openTrainingTask(taskId, taskModels);
        processorContext.schedule(config.metrics().interval(), PunctuationType.WALL_CLOCK_TIME, this::publishMetrics);
    }

    @Override
    public void close() {
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
            // learning holds its writes until the step is whole, so a failure leaves the model as it was
            // (a command's writes are made only after it is validated); the record costs itself alone
            deadLetters.send(record, RejectReason.INTERNAL_ERROR, unexpected.report(e, context));
        }
    }

    private void applyCommand(final Record<byte[], byte[]> record) {
        final ModelCommand command = commands.decode(record.value());
        final String modelId = command.getModelId();
        ModelIds.validate(modelId);
        checkRouting(record, modelId);
        commands.apply(command, taskModels);
        learnedSincePublished.remove(modelId);
        rowCounts.remove(modelId);
        if (taskModels.contains(modelId)) {
            try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(
                    Bytes.wrap(ModelStateCodec.modelPrefix(modelId)), Serdes.Bytes().serializer())) {
                it.forEachRemaining(entry -> {
                    if (ModelStateCodec.isRow(ModelStateCodec.decodeKey(entry.key.get()).index())) {
                        rowCounts.merge(modelId, 1, Integer::sum);
                    }
                });
            }
        }
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
        final FeatureHasher.Hashed hashed = hasher.hash(features, config.maxFeatures());
        limits.checkFeatureNames(features);
        final SparseVector x = hashed.vector();

        final StoreWeights weights = StoreWeights.writable(store, modelId);
        final Bytes headerKey = weights.headerKey();
        final ModelState stored = headers.take(modelId, store.get(headerKey));
        if (stored == null && taskModels.size() >= limits.modelsPerTask()) {
            throw Limits.exceeded("the models of this task", taskModels.size() + 1, limits.modelsPerTask(),
                    "olr.limits.models-per-task");
        }
        final ModelState model = stored == null ? ModelState.fresh(config.modelDefaults()) : stored;
        if (model.settings().allowNewClasses() && model.classes().size() >= limits.classes()
                && !model.classes().contains(label)) {
            throw Limits.exceeded("the model's classes", model.classes().size() + 1, limits.classes(),
                    "olr.limits.classes");
        }
        final StepResult step = OnlineLogisticRegression.learn(model, x, label, example.getImportance(), weights);
        final int rows = rowCounts.getOrDefault(modelId, 0) + weights.absentCount();
        if (rows > limits.rowsPerModel()) {
            throw Limits.exceeded("the model's rows", rows, limits.rowsPerModel(), "olr.limits.rows-per-model");
        }
        if (config.featureNames() && weights.anyAbsent()) {
            nameNewRows(weights, features, hashed.nameIndices());
        }
        if (model.settings().type() == ModelType.BINARY) {
            weights.put(weights.key(ModelStateCodec.windowIndex(model.version(), config.metrics().aucWindow())),
                    ModelStateCodec.encodeWindowEntry(step.progressive().probabilities()[1], step.labelIndex() == 1));
        }
        final byte[] header = ModelStateCodec.encodeHeader(model);
        if (header.length > limits.modelHeaderBytes()) {
            throw Limits.exceeded("the model header's size in bytes", header.length, limits.modelHeaderBytes(),
                    "olr.limits.model-header-bytes");
        }
        // the header last: a reader of the model topic that sees it has seen the whole step
        weights.put(headerKey, header);
        weights.flush();
        headers.written(modelId, header, model);
        rowCounts.put(modelId, rows);
        if (stored == null) {
            taskModels.add(modelId);
        }
        learnedSincePublished.add(modelId);
    }

    /**
     * Stores the names of the features whose rows this example created (one write per new row,
     * none once a model has seen its features): what the weights endpoint and the export show.
     */
    private void nameNewRows(final StoreWeights weights, final Features features, final int[] nameIndices) {
        final Set<Integer> created = weights.absentRows();
        final Map<Integer, List<String>> names = new LinkedHashMap<>();
        final int most = config.limits().namesPerRow();
        int k = 0;
        for (final String name : features.names()) {
            final int index = nameIndices[k++];
            if (created.contains(index) && ModelSnapshot.keepsName(name)) {
                final List<String> list = names.computeIfAbsent(index, i -> new ArrayList<>(1));
                if (list.size() < most) {
                    list.add(name);
                }
            }
        }
        names.forEach((index, list) -> {
            if (!list.isEmpty()) {
                weights.put(weights.key(ModelStateCodec.namesIndex(index)), ModelStateCodec.encodeNames(list));
            }
        });
    }

    private void checkRouting(final Record<byte[], byte[]> record, final String modelId) {
        if (config.requireModelIdKey()
                && (record.key() == null || !Arrays.equals(record.key(), modelId.getBytes(StandardCharsets.UTF_8)))) {
            throw new RejectedInputException(RejectReason.KEY_MISMATCH, "the record key ("
                    + (record.key() == null ? "null" : "'" + new String(record.key(), StandardCharsets.UTF_8) + "'")
                    + ") is not the model id '" + modelId + "': examples of one model must share one partition");
        }
        if (config.examplesPartitions() > 0) {
            final int expected = Utils.toPositive(Utils.murmur2(record.key())) % config.examplesPartitions();
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
        final StoreWeights weights = StoreWeights.writable(store, modelId);
        // the decoded header this processor last wrote, unless the store holds other bytes now
        final ModelState model = headers.read(modelId, store.get(weights.headerKey()));
        if (model == null) {
            return;
        }
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
            final int window = (int) Math.min(model.version(), config.metrics().aucWindow());
            final double[] scores = new double[window];
            final boolean[] positive = new boolean[window];
            int n = 0;
            for (int i = 0; i < window; i++) {
                final byte[] entry = store.get(weights.key(ModelStateCodec.windowIndex(model.version() - i,
                        config.metrics().aucWindow())));
                if (entry == null) {
                    break; // an imported model's window can be shorter (replay keeps none)
                }
                scores[n] = ModelStateCodec.windowProbability(entry);
                positive[n++] = ModelStateCodec.windowPositive(entry);
            }
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
