package io.kafkaolr.topology;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.avro.ScoredEvent;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The scoring branch: decode and validate an event, score it against the in-memory copy of
 * its model ({@link ServedModels}: every instance has all models, so events need no
 * particular partitioning), and publish the class probabilities with the model version used,
 * keyed like the event. A prediction is hashing plus the core's predict: no store read and
 * no decoding per feature.
 *
 * <p>With feedback on ({@link TopologyConfig.Feedback}), what was scored also goes, keyed by
 * event id, to {@link TopologyConfig#feedbackScoredTopic()} for {@link FeedbackJoinProcessor}.
 *
 * <p>An event for a model that has no committed header here (never trained, or not yet
 * committed) goes to the dead-letter topic as {@link RejectReason#UNKNOWN_MODEL}: without a
 * trained model there are not even classes to give probabilities for.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final TopologyConfig config;
    private final ServedModels models;
    private final FeatureHasher hasher;
    private final RecordCodec<Event> events;
    private final RecordCodec<Prediction> predictions;

    private ProcessorContext<byte[], byte[]> context;
    private DeadLetters deadLetters;
    private Sensor scored;
    private final UnexpectedErrors unexpected = new UnexpectedErrors();
    /** What the event just scored leaves for the feedback join (feedback on), set by {@link #score}. */
    private KeyValue<byte[], byte[]> remember;

    ScoringProcessor(final TopologyConfig config, final ServedModels models) {
        this.config = config;
        this.models = models;
        this.hasher = new FeatureHasher(config.modelDefaults().hashBits());
        this.events = config.events().codec();
        this.predictions = config.predictions().codec();
    }

    @Override
    public void init(final ProcessorContext<byte[], byte[]> processorContext) {
        this.context = processorContext;
        this.deadLetters = new DeadLetters(processorContext, OlrTopology.SCORING_DEAD_LETTERS_SINK, config,
                "scoring");
        this.scored = ProcessorMetrics.latencySensor(processorContext, "scoring", "events-scored");
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final long start = System.nanoTime();
        remember = null;
        final byte[] prediction;
        try {
            prediction = score(record);
        } catch (final RejectedInputException e) {
            deadLetters.send(record, e.reason(), e.getMessage());
            return;
        } catch (final RuntimeException e) {
            deadLetters.send(record, RejectReason.INTERNAL_ERROR, unexpected.report(e, context));
            return;
        }
        context.forward(record.withValue(prediction), OlrTopology.PREDICTIONS_SINK);
        if (remember != null) {
            // keyed by event id: the join's task is the one its outcome reaches, whatever the event's key
            context.forward(new Record<>(remember.key, remember.value, record.timestamp()),
                    OlrTopology.FEEDBACK_SCORED_SINK);
            remember = null;
        }
        scored.record(System.nanoTime() - start);
    }

    private byte[] score(final Record<byte[], byte[]> record) {
        config.requireAcceptableSize(record.key(), record.value(), record.headers());
        final Limits limits = config.limits();
        // the prediction keeps the event's key and id: both bounded, so is the prediction
        if (record.key() != null && record.key().length > limits.idBytes()) {
            throw Limits.exceeded("the record key's length in bytes", record.key().length, limits.idBytes(),
                    "olr.limits.id-bytes");
        }
        final Event event = events.decode(record.value());
        final String modelId = event.getModelId();
        ModelIds.validate(modelId);
        limits.checkId("the event id", event.getId());
        final Features features = new Features(event.getNumericFeatures(), event.getCategoricalFeatures());
        limits.checkFeatureNames(features);
        // hashed with the feature crosses of the model that scores the event, as training hashes with them
        final ModelOutput output = models.predict(modelId,
                settings -> hasher.vectorize(features, config.maxFeatures(), settings.interactions()));
        final Map<String, Double> probabilities = new LinkedHashMap<>();
        for (int k = 0; k < output.classes().size(); k++) {
            probabilities.put(output.classes().get(k), output.probabilities()[k]);
        }
        if (config.feedback().enabled()) {
            remember = new KeyValue<>(event.getId().getBytes(StandardCharsets.UTF_8),
                    ScoredEvents.CODEC.encode(ScoredEvent.newBuilder()
                            .setModelId(modelId)
                            .setModelVersion(output.version())
                            .setScoredAt(context.currentSystemTimeMs())
                            .setProbabilities(probabilities)
                            .setNumericFeatures(event.getNumericFeatures())
                            .setCategoricalFeatures(event.getCategoricalFeatures())
                            .build()));
        }
        return predictions.encode(Prediction.newBuilder()
                .setEventId(event.getId())
                .setModelId(modelId)
                .setProbabilities(probabilities)
                .setPredictedLabel(output.predictedLabel())
                .setModelVersion(output.version())
                // NaN exactly for softmax models, whose predictions carry no logit
                .setLogit(Double.isNaN(output.logit()) ? null : output.logit())
                .build());
    }
}
