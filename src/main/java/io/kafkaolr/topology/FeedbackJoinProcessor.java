package io.kafkaolr.topology;

import io.kafkaolr.avro.FeedbackState;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Outcome;
import io.kafkaolr.avro.ScoredEvent;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The feedback join: remembers each scored event (from {@link TopologyConfig#feedbackScoredTopic()},
 * keyed by event id) until its outcome arrives on the outcomes topic, keyed by event id too, so
 * that both reach this task. An outcome within the window makes a labeled example on the
 * examples topic, keyed by model id; at the window's end the event becomes an example with the
 * default label, or is dropped. Store writes and examples are in the task's transaction, so
 * each remembered event yields at most one example, exactly once.
 *
 * <p>Two stores, both changelogged: {@link OlrTopology#FEEDBACK_PENDING_STORE} by event id, and
 * {@link OlrTopology#FEEDBACK_EXPIRY_STORE} by (deadline, event id), so that a punctuation reads
 * only the entries that are due, however long the window. A resolved event leaves a marker
 * without features for one more window: an outcome then is late or a duplicate, not unknown.
 *
 * <p>Deadlines are wall-clock time of this task ({@link PunctuationType#WALL_CLOCK_TIME}): events
 * expire while no record arrives, and a replay of old events waits for outcomes as long as a
 * live stream would.
 */
final class FeedbackJoinProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    /** The most entries one punctuation resolves: a backlog is worked through over several. */
    static final int EXPIRIES_PER_PUNCTUATION = 10_000;

    private final TopologyConfig config;
    private final TopologyConfig.Feedback feedback;
    private final RecordCodec<ScoredEvent> scoredCodec;
    private final RecordCodec<Outcome> outcomes;
    private final RecordCodec<LabeledExample> examples;
    private final UnexpectedErrors unexpected = new UnexpectedErrors();

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> pending;
    private KeyValueStore<Bytes, byte[]> expiry;
    private DeadLetters deadLetters;
    private Sensor remembered;
    private Sensor joined;
    private Sensor expiredLabeled;
    private Sensor expiredDropped;
    private Sensor idReused;
    private final FeedbackObserver observer;

    FeedbackJoinProcessor(final TopologyConfig config, final FeedbackObserver observer) {
        this.config = config;
        this.feedback = config.feedback();
        this.scoredCodec = ScoredEvents.CODEC;
        this.outcomes = config.outcomes().codec();
        this.examples = config.examples().codec();
        this.observer = observer;
    }

    @Override
    public void init(final ProcessorContext<byte[], byte[]> processorContext) {
        this.context = processorContext;
        this.pending = processorContext.getStateStore(OlrTopology.FEEDBACK_PENDING_STORE);
        this.expiry = processorContext.getStateStore(OlrTopology.FEEDBACK_EXPIRY_STORE);
        this.deadLetters = new DeadLetters(processorContext, OlrTopology.FEEDBACK_DEAD_LETTERS_SINK, config,
                DeadLetters.FEEDBACK_ROLE);
        this.remembered = ProcessorMetrics.sensor(processorContext, "feedback", "events-remembered");
        this.joined = ProcessorMetrics.sensor(processorContext, "feedback", "outcomes-joined");
        this.expiredLabeled = ProcessorMetrics.sensor(processorContext, "feedback", "expired-default-labeled");
        this.expiredDropped = ProcessorMetrics.sensor(processorContext, "feedback", "expired-dropped");
        this.idReused = ProcessorMetrics.sensor(processorContext, "feedback", "event-ids-reused");
        processorContext.schedule(punctuationInterval(feedback.window()), PunctuationType.WALL_CLOCK_TIME,
                this::expire);
    }

    /** A tenth of the window, between 100 ms and 10 s: an expiry is at most that late. */
    static Duration punctuationInterval(final Duration window) {
        final long tenth = window.toMillis() / 10;
        return Duration.ofMillis(Math.max(100, Math.min(10_000, tenth)));
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final boolean isOutcome = context.recordMetadata()
                .map(m -> m.topic().equals(feedback.outcomesTopic())).orElse(false);
        try {
            if (isOutcome) {
                outcome(record);
            } else {
                remember(record);
            }
        } catch (final RejectedInputException e) {
            deadLetters.send(record, e.reason(), e.getMessage());
        } catch (final RuntimeException e) {
            deadLetters.send(record, RejectReason.INTERNAL_ERROR, unexpected.report(e, context));
        }
    }

    private void remember(final Record<byte[], byte[]> record) {
        final Bytes key = Bytes.wrap(record.key());
        if (pending.get(key) != null) {
            // the first event with an id keeps it: its outcome cannot say which one it meant
            idReused.record();
            return;
        }
        final ScoredEvent event = scoredCodec.decode(record.value());
        event.setState(FeedbackState.PENDING);
        event.setDeadline(context.currentSystemTimeMs() + feedback.window().toMillis());
        put(key, event);
        remembered.record();
    }

    private void outcome(final Record<byte[], byte[]> record) {
        config.requireAcceptableSize(record.key(), record.value(), record.headers());
        final Outcome outcome = outcomes.decode(record.value());
        final String eventId = outcome.getEventId();
        config.limits().checkId("the outcome's event id", eventId);
        if (record.key() == null || !Arrays.equals(record.key(), eventId.getBytes(StandardCharsets.UTF_8))) {
            throw new RejectedInputException(RejectReason.KEY_MISMATCH, "the outcome's record key must be its "
                    + "event id '" + eventId + "', so that it reaches the task that remembers the event");
        }
        if (outcome.getLabel().isEmpty()) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "the outcome's label is empty");
        }
        if (!Double.isFinite(outcome.getImportance())) {
            throw new RejectedInputException(RejectReason.NON_FINITE_VALUE, "importance is " + outcome.getImportance());
        }
        if (outcome.getImportance() < 0) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "importance must be >= 0, got "
                    + outcome.getImportance());
        }
        final Bytes key = Bytes.wrap(record.key());
        final byte[] stored = pending.get(key);
        if (stored == null) {
            throw new RejectedInputException(RejectReason.OUTCOME_UNKNOWN_EVENT, "no event '" + eventId
                    + "' is remembered: never scored with feedback on, or resolved more than olr.feedback.window ago");
        }
        final ScoredEvent event = scoredCodec.decode(stored);
        switch (event.getState()) {
            case JOINED -> {
                observer.duplicate(event.getModelId());
                throw new RejectedInputException(RejectReason.OUTCOME_DUPLICATE, "event '" + eventId
                        + "' was already labeled by an earlier outcome");
            }
            case EXPIRED -> {
                observer.late(event.getModelId());
                throw new RejectedInputException(RejectReason.OUTCOME_LATE, "event '" + eventId
                        + "' expired at " + Instant.ofEpochMilli(event.getDeadline() - feedback.window().toMillis())
                        + " (olr.feedback.window " + feedback.window() + ")");
            }
            case PENDING -> {
                // checked below
            }
            default -> throw new IllegalStateException("unknown state " + event.getState());
        }
        if (outcome.getModelId() != null && !outcome.getModelId().equals(event.getModelId())) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "the outcome names model '"
                    + outcome.getModelId() + "' but event '" + eventId + "' was scored by '" + event.getModelId() + "'");
        }
        forwardExample(eventId, event, outcome.getLabel(), outcome.getImportance(), record.timestamp());
        observer.joined(event, outcome.getLabel(), record.timestamp());
        resolve(key, event, FeedbackState.JOINED);
        joined.record();
    }

    private void expire(final long now) {
        final List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = expiry.range(null, Bytes.wrap(expiryKey(now, new byte[0])))) {
            while (it.hasNext() && due.size() < EXPIRIES_PER_PUNCTUATION) {
                due.add(it.next());
            }
        }
        for (final KeyValue<Bytes, byte[]> entry : due) {
            final byte[] indexKey = entry.key.get();
            final Bytes key = Bytes.wrap(Arrays.copyOfRange(indexKey, Long.BYTES, indexKey.length));
            expiry.delete(entry.key);
            final byte[] stored = pending.get(key);
            if (stored == null) {
                continue;
            }
            final ScoredEvent event = scoredCodec.decode(stored);
            if (event.getState() != FeedbackState.PENDING) {
                pending.delete(key); // the marker's retention is over
                continue;
            }
            final String eventId = new String(key.get(), StandardCharsets.UTF_8);
            if (feedback.labelsExpired()) {
                forwardExample(eventId, event, feedback.defaultLabel(), 1.0, now);
                expiredLabeled.record();
            } else {
                expiredDropped.record();
            }
            observer.expired(event, feedback.labelsExpired() ? feedback.defaultLabel() : null);
            resolve(key, event, FeedbackState.EXPIRED);
        }
    }

    private void forwardExample(final String eventId, final ScoredEvent event, final String label,
                                final double importance, final long timestamp) {
        final LabeledExample example = LabeledExample.newBuilder()
                .setModelId(event.getModelId())
                .setNumericFeatures(event.getNumericFeatures())
                .setCategoricalFeatures(event.getCategoricalFeatures())
                .setLabel(label)
                .setImportance(importance)
                .setId(eventId)
                .setTimestamp(Instant.ofEpochMilli(event.getScoredAt()))
                .build();
        context.forward(new Record<>(event.getModelId().getBytes(StandardCharsets.UTF_8), examples.encode(example),
                timestamp), OlrTopology.FEEDBACK_EXAMPLES_SINK);
    }

    /** Replaces the entry by a marker without features, kept one more window. */
    private void resolve(final Bytes key, final ScoredEvent event, final FeedbackState state) {
        expiry.delete(Bytes.wrap(expiryKey(event.getDeadline(), key.get())));
        final ScoredEvent marker = ScoredEvent.newBuilder()
                .setModelId(event.getModelId())
                .setModelVersion(event.getModelVersion())
                .setScoredAt(event.getScoredAt())
                .setState(state)
                .setDeadline(context.currentSystemTimeMs() + feedback.window().toMillis())
                .build();
        put(key, marker);
    }

    private void put(final Bytes key, final ScoredEvent event) {
        pending.put(key, scoredCodec.encode(event));
        expiry.put(Bytes.wrap(expiryKey(event.getDeadline(), key.get())), new byte[0]);
    }

    /** The deadline big-endian (so keys sort by it, deadlines being positive), then the event id. */
    static byte[] expiryKey(final long deadline, final byte[] eventId) {
        return ByteBuffer.allocate(Long.BYTES + eventId.length).putLong(deadline).put(eventId).array();
    }

    /** The probability the event's model gave {@code label}, or NaN when it named no such class. */
    static double probability(final ScoredEvent event, final String label) {
        final Map<String, Double> probabilities = event.getProbabilities();
        final Double p = probabilities.get(label);
        return p == null ? Double.NaN : p;
    }
}
