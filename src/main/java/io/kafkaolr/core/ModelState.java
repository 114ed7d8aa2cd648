package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything about one model except its per-feature weight rows: settings, classes, the
 * update counter, the bias, the lazy-L2 scale and the progressive metrics. Its size is
 * O(number of classes), never O(dimension), so it can be read and written on every record.
 */
public final class ModelState {
    /** Version of the stored form; readers refuse newer ones. */
    public static final int FORMAT_VERSION = 1;

    private final ModelSettings settings;
    private final List<String> classes;
    private long version;
    private double logScale;
    private double[] bias;
    private ProgressiveMetrics metrics;

    /** A state as stored. */
    public ModelState(final ModelSettings settings, final List<String> classes, final long version,
                      final double logScale, final double[] bias, final ProgressiveMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.classes = new ArrayList<>(classes);
        this.version = version;
        this.logScale = logScale;
        this.bias = bias.clone();
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        if (bias.length != settings.logitsFor(classes.size())) {
            throw new IllegalArgumentException("bias has " + bias.length + " entries, expected "
                    + settings.logitsFor(classes.size()) + " for " + classes.size() + " classes");
        }
    }

    /** A new, untrained model: zero bias, no updates. */
    public static ModelState fresh(final ModelSettings settings) {
        final List<String> classes = settings.initialClasses();
        return new ModelState(settings, classes, 0, 0.0, new double[settings.logitsFor(classes.size())],
                ProgressiveMetrics.EMPTY);
    }

    public ModelSettings settings() {
        return settings;
    }

    /** The class labels in index order (binary: negative, positive). Read-only view. */
    public List<String> classes() {
        return java.util.Collections.unmodifiableList(classes);
    }

    /** Number of updates applied. */
    public long version() {
        return version;
    }

    /** Cumulative log of the L2 shrink factors applied so far. */
    public double logScale() {
        return logScale;
    }

    /** The bias of each logit (a copy). */
    public double[] bias() {
        return bias.clone();
    }

    double biasAt(final int k) {
        return k < bias.length ? bias[k] : 0.0;
    }

    public ProgressiveMetrics metrics() {
        return metrics;
    }

    /** Number of logits: 1 for binary models, the number of classes for softmax. */
    public int logits() {
        return settings.logitsFor(classes.size());
    }

    void applyStep(final long newVersion, final double newLogScale, final double[] newBias,
                   final ProgressiveMetrics newMetrics, final String addedClass) {
        if (addedClass != null) {
            classes.add(addedClass);
        }
        this.version = newVersion;
        this.logScale = newLogScale;
        this.bias = newBias;
        this.metrics = newMetrics;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof ModelState other
                && settings.equals(other.settings)
                && classes.equals(other.classes)
                && version == other.version
                && Double.compare(logScale, other.logScale) == 0
                && Arrays.equals(bias, other.bias)
                && metrics.equals(other.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, classes, version, logScale, Arrays.hashCode(bias), metrics);
    }

    @Override
    public String toString() {
        return "ModelState{" + settings.type() + ", classes=" + classes + ", version=" + version
                + ", bias=" + Arrays.toString(bias) + ", metrics=" + metrics + '}';
    }
}
