package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Everything about one model except its per-feature rows: settings, classes, the update
 * counter, the optimizer's model-wide accumulators, the bias state (and, with mini-batches,
 * the bias gradient of the open batch), and the progressive metrics.
 * Its size is O(number of classes), never O(dimension), so it can be read and written on every
 * record.
 */
public final class ModelState {
    /** Version of the stored form; readers refuse newer ones. */
    public static final int FORMAT_VERSION = 3;

    private final ModelSettings settings;
    private final List<String> classes;
    private long version;
    private double[] clock;
    private double[] bias;
    private double[] pendingBias;
    /** Reused for the open mini-batch's bias gradient, so that a step allocates nothing. */
    private double[] pendingBiasSpare = WeightRow.NONE;
    // the progressive metrics, kept as numbers so that a step allocates nothing
    private long examples;
    private double weightSum;
    private double lossSum;
    private double correctWeight;
    private long[] classCounts;
    private final CoordinateOptimizer coordinateOptimizer;
    private final Loss loss;

    /** A state as stored, with no open mini-batch. */
    public ModelState(final ModelSettings settings, final List<String> classes, final long version,
                      final double[] clock, final double[] bias, final ProgressiveMetrics metrics,
                      final long[] classCounts) {
        this(settings, classes, version, clock, bias, new double[0], metrics, classCounts);
    }

    /**
     * A state as stored.
     *
     * @param version the number of examples learned
     * @param clock the optimizer's model-wide accumulators ({@link Optimizer#clockSize()})
     * @param bias the bias state, {@link Optimizer#slotsPerLogit()} numbers per logit
     * @param pendingBias the sum of the bias gradients of the open mini-batch, per logit (empty
     *     when no batch is open)
     * @param classCounts how many examples of each class were learned, in class order
     */
    public ModelState(final ModelSettings settings, final List<String> classes, final long version,
                      final double[] clock, final double[] bias, final double[] pendingBias,
                      final ProgressiveMetrics metrics, final long[] classCounts) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.classes = new ArrayList<>(classes);
        this.version = version;
        this.clock = clock.clone();
        this.bias = bias.clone();
        this.pendingBias = pendingBias.clone();
        Objects.requireNonNull(metrics, "metrics");
        this.examples = metrics.examples();
        this.weightSum = metrics.weightSum();
        this.lossSum = metrics.lossSum();
        this.correctWeight = metrics.correctWeight();
        this.coordinateOptimizer = CoordinateOptimizer.of(settings);
        this.loss = Loss.of(settings.type());
        this.classCounts = Arrays.copyOf(classCounts, classes.size());
        final int expected = settings.logitsFor(classes.size()) * settings.optimizer().slotsPerLogit();
        if (bias.length != expected) {
            throw new IllegalArgumentException("bias state has " + bias.length + " entries, expected " + expected
                    + " for " + classes.size() + " classes and " + settings.optimizer());
        }
        if (clock.length != settings.optimizer().clockSize()) {
            throw new IllegalArgumentException("clock has " + clock.length + " entries, expected "
                    + settings.optimizer().clockSize() + " for " + settings.optimizer());
        }
    }

    /** A new, untrained model: zero bias, no updates. */
    public static ModelState fresh(final ModelSettings settings) {
        final List<String> classes = settings.initialClasses();
        return new ModelState(settings, classes, 0, new double[settings.optimizer().clockSize()],
                new double[settings.logitsFor(classes.size()) * settings.optimizer().slotsPerLogit()],
                ProgressiveMetrics.EMPTY, new long[classes.size()]);
    }

    public ModelSettings settings() {
        return settings;
    }

    /** The class labels in index order (binary: negative, positive). Read-only view. */
    public List<String> classes() {
        return Collections.unmodifiableList(classes);
    }

    /** The index of {@code label} among the classes, -1 when it is not one (without a view of the list). */
    int classIndex(final String label) {
        return classes.indexOf(label);
    }

    int classCount() {
        return classes.size();
    }

    /** Number of examples learned (updates applied). */
    public long version() {
        return version;
    }

    /** Number of optimizer steps taken: one per completed mini-batch. */
    public long steps() {
        return version / settings.batchSize();
    }

    /** The optimizer's model-wide accumulators (a copy). */
    public double[] clock() {
        return clock.clone();
    }

    double[] clockView() {
        return clock;
    }

    /** The bias state (a copy): {@link Optimizer#slotsPerLogit()} numbers per logit. */
    public double[] biasState() {
        return bias.clone();
    }

    double[] biasView() {
        return bias;
    }

    /** The summed bias gradients of the open mini-batch (a copy; empty when none is open). */
    public double[] pendingBias() {
        return pendingBias.clone();
    }

    double[] pendingBiasView() {
        return pendingBias;
    }

    /** How many examples of each class were learned, in class order (a copy). */
    public long[] classCounts() {
        return classCounts.clone();
    }

    /** The progressive metrics (a new record: the model keeps them as numbers). */
    public ProgressiveMetrics metrics() {
        return new ProgressiveMetrics(examples, weightSum, lossSum, correctWeight);
    }

    double weightSum() {
        return weightSum;
    }

    double lossSum() {
        return lossSum;
    }

    double correctWeight() {
        return correctWeight;
    }

    /** The per-coordinate arithmetic of the model's optimizer (null for least squares). */
    CoordinateOptimizer coordinateOptimizer() {
        return coordinateOptimizer;
    }

    Loss loss() {
        return loss;
    }

    /** Number of logits: 1 for binary models, the number of classes for softmax. */
    public int logits() {
        return settings.logitsFor(classes.size());
    }

    void applyStep(final long newVersion, final double[] newClock, final double[] newBias, final double[] newPendingBias,
                   final ProgressiveMetrics newMetrics, final String addedClass, final int labelIndex) {
        addLabel(addedClass, labelIndex);
        this.version = newVersion;
        this.clock = newClock;
        this.bias = newBias;
        this.pendingBias = newPendingBias;
        this.examples = newMetrics.examples();
        this.weightSum = newMetrics.weightSum();
        this.lossSum = newMetrics.lossSum();
        this.correctWeight = newMetrics.correctWeight();
    }

    /**
     * Applies a computed and checked step in place: the arrays given are copied from, never
     * kept, and none is allocated unless a class was added or a mini-batch opens.
     *
     * @param newBias the bias state, its first {@code logits * slotsPerLogit} numbers
     * @param newPendingBias the open batch's bias gradient, its first {@code pendingCount}
     *     numbers (0 when the step closed its batch)
     */
    void commitStep(final long newVersion, final double[] newClock, final double[] newBias, final int logits,
                    final double[] newPendingBias, final int pendingCount, final double newWeightSum,
                    final double newLossSum, final double newCorrectWeight, final String addedClass,
                    final int labelIndex) {
        addLabel(addedClass, labelIndex);
        final int biasLength = logits * settings.optimizer().slotsPerLogit();
        if (bias.length != biasLength) {
            bias = new double[biasLength];
        }
        System.arraycopy(newBias, 0, bias, 0, biasLength);
        System.arraycopy(newClock, 0, clock, 0, clock.length);
        if (pendingCount == 0) {
            if (pendingBias.length > 0) {
                pendingBiasSpare = pendingBias;
            }
            pendingBias = WeightRow.NONE;
        } else {
            if (pendingBias.length != pendingCount) {
                pendingBias = pendingBiasSpare.length == pendingCount ? pendingBiasSpare : new double[pendingCount];
            }
            System.arraycopy(newPendingBias, 0, pendingBias, 0, pendingCount);
        }
        this.version = newVersion;
        this.examples++;
        this.weightSum = newWeightSum;
        this.lossSum = newLossSum;
        this.correctWeight = newCorrectWeight;
    }

    private void addLabel(final String addedClass, final int labelIndex) {
        if (addedClass != null) {
            classes.add(addedClass);
            classCounts = Arrays.copyOf(classCounts, classes.size());
        }
        classCounts[labelIndex]++;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof ModelState other
                && settings.equals(other.settings)
                && classes.equals(other.classes)
                && version == other.version
                && Arrays.equals(clock, other.clock)
                && Arrays.equals(bias, other.bias)
                && Arrays.equals(pendingBias, other.pendingBias)
                && metrics().equals(other.metrics())
                && Arrays.equals(classCounts, other.classCounts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, classes, version, Arrays.hashCode(clock), Arrays.hashCode(bias), Arrays.hashCode(pendingBias), metrics(),
                Arrays.hashCode(classCounts));
    }

    @Override
    public String toString() {
        return "ModelState{" + settings.type() + ", " + settings.optimizer() + ", classes=" + classes
                + ", version=" + version + ", bias=" + Arrays.toString(bias) + ", metrics=" + metrics() + '}';
    }
}
