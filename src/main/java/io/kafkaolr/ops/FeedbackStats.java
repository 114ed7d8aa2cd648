package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.ScoredEvent;
import io.kafkaolr.topology.FeedbackObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the feedback loop shows, per model, on this instance: how its scored events were
 * resolved (joined, expired with the default label, dropped; late and duplicate outcomes), the
 * delay from scoring to outcome, and calibration: the predicted probability against the
 * observed rate in {@link #BINS} equal bins, with the expected calibration error
 * {@code sum_b n_b / n * |mean predicted_b - observed rate_b|}. For binary models the
 * probability is that of the positive class ({@code positiveLabel}); for others that of the
 * class predicted (top-label calibration). An event that expired with the default label is an
 * observation of that label; a dropped one is none.
 *
 * <p>Counts live in memory from the processor's start: a restart or a rebalance begins them
 * anew, and a crash may count a resolution twice (the examples themselves are exactly once).
 * Each instance counts the events whose feedback partitions it holds.
 */
public final class FeedbackStats implements FeedbackObserver {
    /** Equal-width bins of the predicted probability. */
    public static final int BINS = 10;

    private final String positiveLabel;
    private final Map<String, ModelStats> models = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    /**
     * Statistics for models whose positive class is {@code positiveLabel} (binary), or null
     * for top-label calibration.
     */
    public FeedbackStats(final String positiveLabel) {
        this.positiveLabel = positiveLabel;
    }

    /** One model's counts. */
    static final class ModelStats {
        final AtomicLong joined = new AtomicLong();
        final AtomicLong expiredLabeled = new AtomicLong();
        final AtomicLong expiredDropped = new AtomicLong();
        final AtomicLong late = new AtomicLong();
        final AtomicLong duplicate = new AtomicLong();
        final long[] count = new long[BINS];
        final double[] predicted = new double[BINS];
        final long[] observed = new long[BINS];
        volatile Timer delay;

        synchronized void observe(final double p, final boolean positive) {
            final int bin = Math.min(BINS - 1, (int) (p * BINS));
            count[bin]++;
            predicted[bin] += p;
            if (positive) {
                observed[bin]++;
            }
        }

        synchronized double expectedCalibrationError() {
            long n = 0;
            double error = 0;
            for (int b = 0; b < BINS; b++) {
                if (count[b] > 0) {
                    n += count[b];
                    error += Math.abs(predicted[b] - observed[b]);
                }
            }
            // sum_b n_b/n |sum p/n_b - observed/n_b| = sum_b |sum p - observed| / n
            return n == 0 ? Double.NaN : error / n;
        }

        double joinRate() {
            final long resolved = joined.get() + expiredLabeled.get() + expiredDropped.get();
            return resolved == 0 ? Double.NaN : (double) joined.get() / resolved;
        }

        double defaultLabelRate() {
            final long resolved = joined.get() + expiredLabeled.get() + expiredDropped.get();
            return resolved == 0 ? Double.NaN : (double) expiredLabeled.get() / resolved;
        }
    }

    /** Registers every model's meters with {@code meterRegistry}, and those of models to come. */
    void bindTo(final MeterRegistry meterRegistry) {
        this.registry = meterRegistry;
        models.forEach((id, stats) -> register(id, stats, meterRegistry));
    }

    private ModelStats stats(final String modelId) {
        return models.computeIfAbsent(modelId, id -> {
            final ModelStats stats = new ModelStats();
            final MeterRegistry bound = registry;
            if (bound != null) {
                register(id, stats, bound);
            }
            return stats;
        });
    }

    private static void register(final String modelId, final ModelStats stats, final MeterRegistry registry) {
        final Map<String, AtomicLong> results = Map.of("joined", stats.joined, "expired_default_label",
                stats.expiredLabeled, "expired_dropped", stats.expiredDropped, "late", stats.late,
                "duplicate", stats.duplicate);
        results.forEach((result, count) -> FunctionCounter.builder("olr.feedback.outcomes", count, AtomicLong::get)
                .tags("model", modelId, "result", result)
                .description("scored events resolved by the feedback join, and outcomes it refused, by result")
                .register(registry));
        Gauge.builder("olr.feedback.join.rate", stats, ModelStats::joinRate).tags("model", modelId)
                .description("share of resolved events that an outcome labeled").register(registry);
        Gauge.builder("olr.feedback.default.label.rate", stats, ModelStats::defaultLabelRate).tags("model", modelId)
                .description("share of resolved events labeled by default at the window's end").register(registry);
        Gauge.builder("olr.feedback.calibration.error", stats, ModelStats::expectedCalibrationError)
                .tags("model", modelId)
                .description("expected calibration error over " + BINS + " bins of the predicted probability")
                .register(registry);
        stats.delay = Timer.builder("olr.feedback.delay").tags("model", modelId).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofDays(7))
                .description("time from the scoring of an event to its outcome").register(registry);
    }

    @Override
    public void joined(final ScoredEvent event, final String label, final long outcomeTime) {
        final ModelStats stats = stats(event.getModelId());
        stats.joined.incrementAndGet();
        final Timer delay = stats.delay;
        if (delay != null) {
            delay.record(Duration.ofMillis(Math.max(0, outcomeTime - event.getScoredAt())));
        }
        observe(stats, event, label);
    }

    @Override
    public void expired(final ScoredEvent event, final String defaultLabel) {
        final ModelStats stats = stats(event.getModelId());
        if (defaultLabel == null) {
            stats.expiredDropped.incrementAndGet();
        } else {
            stats.expiredLabeled.incrementAndGet();
            observe(stats, event, defaultLabel);
        }
    }

    @Override
    public void late(final String modelId) {
        stats(modelId).late.incrementAndGet();
    }

    @Override
    public void duplicate(final String modelId) {
        stats(modelId).duplicate.incrementAndGet();
    }

    private void observe(final ModelStats stats, final ScoredEvent event, final String label) {
        final Map<String, Double> probabilities = event.getProbabilities();
        if (probabilities.isEmpty()) {
            return;
        }
        if (positiveLabel != null && probabilities.size() == 2 && probabilities.containsKey(positiveLabel)) {
            stats.observe(probabilities.get(positiveLabel), label.equals(positiveLabel));
            return;
        }
        final Map.Entry<String, Double> top = probabilities.entrySet().stream().max(Map.Entry.comparingByValue())
                .orElseThrow();
        stats.observe(top.getValue(), label.equals(top.getKey()));
    }

    /** The reliability table of {@code modelId} as JSON, or null when this instance saw no outcome of it. */
    ObjectNode calibration(final String modelId) {
        final ModelStats stats = models.get(modelId);
        if (stats == null) {
            return null;
        }
        final JsonNodeFactory f = JsonNodeFactory.instance;
        final ObjectNode node = f.objectNode();
        node.put("model_id", modelId);
        node.put("probability", positiveLabel != null ? "of the positive class '" + positiveLabel + "'"
                : "of the class predicted");
        final ArrayNode bins = node.putArray("bins");
        long n = 0;
        synchronized (stats) {
            for (int b = 0; b < BINS; b++) {
                final ObjectNode bin = bins.addObject();
                bin.put("from", (double) b / BINS);
                bin.put("to", (double) (b + 1) / BINS);
                bin.put("count", stats.count[b]);
                if (stats.count[b] > 0) {
                    bin.put("mean_predicted", stats.predicted[b] / stats.count[b]);
                    bin.put("observed_rate", (double) stats.observed[b] / stats.count[b]);
                } else {
                    bin.putNull("mean_predicted");
                    bin.putNull("observed_rate");
                }
                n += stats.count[b];
            }
        }
        node.put("observations", n);
        final double ece = stats.expectedCalibrationError();
        if (Double.isNaN(ece)) {
            node.putNull("expected_calibration_error");
        } else {
            node.put("expected_calibration_error", ece);
        }
        node.put("joined", stats.joined.get());
        node.put("expired_default_label", stats.expiredLabeled.get());
        node.put("expired_dropped", stats.expiredDropped.get());
        node.put("late", stats.late.get());
        node.put("duplicate", stats.duplicate.get());
        return node;
    }
}
