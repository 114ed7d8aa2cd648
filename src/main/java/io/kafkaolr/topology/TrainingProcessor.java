package io.kafkaolr.topology;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The training branch: decode and validate a labeled example, predict it with the model's
 * current weights (progressive validation), take one SGD step, and write back only the rows
 * of the example's features and the model's header. O(nnz) store reads and writes per record.
 *
 * <p>Every write reaches the store's changelog, which is the model topic: scoring instances
 * see a change once the transaction that made it commits.
 */
final class TrainingProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final TopologyConfig config;
    private final FeatureHasher hasher;
    private final RecordCodec<LabeledExample> codec;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private DeadLetters deadLetters;
    private Sensor learned;
    private ModelHeaders headers;

    TrainingProcessor(final TopologyConfig config) {
        this.config = config;
        this.hasher = new FeatureHasher(config.modelDefaults().hashBits());
        this.codec = config.format().codec(LabeledExample.class);
    }

    @Override
    public void init(final ProcessorContext<byte[], byte[]> processorContext) {
        this.context = processorContext;
        this.store = processorContext.getStateStore(OlrTopology.WEIGHTS_STORE);
        this.deadLetters = new DeadLetters(processorContext, OlrTopology.TRAINING_DEAD_LETTERS_SINK, config.format(),
                "training");
        this.learned = ProcessorMetrics.sensor(processorContext, "training", "examples-learned");
        this.headers = new ModelHeaders(hasher.bits());
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        try {
            learn(record);
            learned.record();
        } catch (final RejectedInputException e) {
            deadLetters.send(record, e.reason(), e.getMessage());
        }
    }

    private void learn(final Record<byte[], byte[]> record) {
        config.requireAcceptableSize(record.value());
        final LabeledExample example = codec.decode(record.value());
        final String modelId = example.getModelId();
        ModelIds.validate(modelId);
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
        if (example.getLabel().isEmpty()) {
            throw new RejectedInputException(RejectReason.MISSING_FIELD, "label is empty");
        }
        final SparseVector x = hasher.vectorize(
                new Features(example.getNumericFeatures(), example.getCategoricalFeatures()), config.maxFeatures());

        final StoreWeights weights = StoreWeights.writable(store, modelId);
        final Bytes headerKey = weights.headerKey();
        final ModelState stored = headers.take(modelId, store.get(headerKey));
        final ModelState model = stored == null ? ModelState.fresh(config.modelDefaults()) : stored;
        OnlineLogisticRegression.learn(model, x, example.getLabel(), example.getImportance(), weights);
        final byte[] header = ModelStateCodec.encodeHeader(model);
        store.put(headerKey, header);
        headers.written(modelId, header, model);
    }
}
