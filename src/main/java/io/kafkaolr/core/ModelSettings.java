package io.kafkaolr.core;

import java.util.List;
import java.util.Objects;

/**
 * How a model learns: fixed when the model is created and stored with it.
 *
 * @param type binary or softmax
 * @param hashBits the feature-hashing dimension is {@code 2^hashBits}
 * @param optimizer how the weights move
 * @param learningRate {@code eta0} of SGD, averaged SGD and AdaGrad; {@code alpha} of FTRL
 * @param schedule how SGD's and averaged SGD's step size decays (ignored by AdaGrad and FTRL)
 * @param powerT the exponent of the inverse-scaling schedule
 * @param l1 the L1 penalty {@code lambda1} (the bias is never penalised)
 * @param l2 the L2 penalty {@code lambda2}
 * @param ftrlBeta FTRL's {@code beta} (smooths the first steps of each coordinate)
 * @param normalize whether each feature is divided by its running root mean square (over the
 *     examples where it appears), so that learning does not depend on the feature's units
 * @param initialClasses for binary models exactly {@code [negative, positive]}; for softmax
 *     models the classes known from the start (possibly none)
 * @param allowNewClasses softmax only: whether a label never seen adds a class
 */
public record ModelSettings(
        ModelType type,
        int hashBits,
        Optimizer optimizer,
        double learningRate,
        LearningRateSchedule schedule,
        double powerT,
        double l1,
        double l2,
        double ftrlBeta,
        boolean normalize,
        List<String> initialClasses,
        boolean allowNewClasses) {

    /** AdaGrad's {@code eps}: keeps the first step of a coordinate finite when its gradient is 0. */
    public static final double ADAGRAD_EPSILON = 1e-8;

    /** Validates the settings. */
    public ModelSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        initialClasses = List.copyOf(initialClasses);
        if (hashBits < 1 || hashBits > FeatureHasher.MAX_BITS) {
            throw new IllegalArgumentException("hash bits must be in [1, " + FeatureHasher.MAX_BITS + "], got " + hashBits);
        }
        requirePositive(learningRate, "learning rate");
        requireNonNegative(powerT, "power_t");
        requireNonNegative(l1, "l1");
        requireNonNegative(l2, "l2");
        requireNonNegative(ftrlBeta, "ftrl beta");
        final boolean decaying = optimizer == Optimizer.SGD || optimizer == Optimizer.ASGD;
        if (decaying && schedule == LearningRateSchedule.OPTIMAL && !(l1 + l2 > 0 && l1 + l2 < 1)) {
            throw new IllegalArgumentException("the optimal schedule needs 0 < l1 + l2 < 1 (its alpha), got " + (l1 + l2));
        }
        // SGD's step multiplies a weight by 1 - eta_t*l2; the step size never grows, so
        // eta_1 * l2 < 1 keeps every factor in (0, 1]
        if (decaying && schedule.firstRate(learningRate, l1 + l2) * l2 >= 1) {
            throw new IllegalArgumentException("the first step size * l2 must be < 1 (each step multiplies weights by"
                    + " 1 - eta*l2), got " + schedule.firstRate(learningRate, l1 + l2) * l2);
        }
        if (optimizer == Optimizer.ASGD && (l1 > 0 || l2 > 0) && schedule != LearningRateSchedule.CONSTANT) {
            throw new IllegalArgumentException("averaged SGD with l1 or l2 needs the constant schedule (the lazy"
                    + " catch-up of the average has a closed form only there), got " + schedule);
        }
        if (initialClasses.stream().distinct().count() != initialClasses.size()) {
            throw new IllegalArgumentException("classes must be distinct: " + initialClasses);
        }
        if (type == ModelType.BINARY) {
            if (initialClasses.size() != 2) {
                throw new IllegalArgumentException("a binary model needs exactly two classes [negative, positive], got " + initialClasses);
            }
            if (allowNewClasses) {
                throw new IllegalArgumentException("a binary model cannot add classes");
            }
        }
    }

    /** Binary SGD model on raw features, labels "0" (negative) and "1" (positive), no regularisation. */
    public static ModelSettings binary(final double learningRate, final LearningRateSchedule schedule) {
        return new ModelSettings(ModelType.BINARY, FeatureHasher.DEFAULT_BITS, Optimizer.SGD, learningRate, schedule,
                0.5, 0.0, 0.0, 1.0, false, List.of("0", "1"), false);
    }

    /** Softmax SGD model on raw features that adds classes as they appear, no regularisation. */
    public static ModelSettings softmax(final double learningRate, final LearningRateSchedule schedule) {
        return new ModelSettings(ModelType.SOFTMAX, FeatureHasher.DEFAULT_BITS, Optimizer.SGD, learningRate, schedule,
                0.5, 0.0, 0.0, 1.0, false, List.of(), true);
    }

    /** A copy with another L2 penalty. */
    public ModelSettings withL2(final double newL2) {
        return new ModelSettings(type, hashBits, optimizer, learningRate, schedule, powerT, l1, newL2, ftrlBeta,
                normalize, initialClasses, allowNewClasses);
    }

    /** A copy with other L1 and L2 penalties. */
    public ModelSettings withPenalties(final double newL1, final double newL2) {
        return new ModelSettings(type, hashBits, optimizer, learningRate, schedule, powerT, newL1, newL2, ftrlBeta,
                normalize, initialClasses, allowNewClasses);
    }

    /** A copy with another optimizer and learning rate. */
    public ModelSettings withOptimizer(final Optimizer newOptimizer, final double newLearningRate) {
        return new ModelSettings(type, hashBits, newOptimizer, newLearningRate, schedule, powerT, l1, l2, ftrlBeta,
                normalize, initialClasses, allowNewClasses);
    }

    /** A copy with another schedule. */
    public ModelSettings withSchedule(final LearningRateSchedule newSchedule, final double newPowerT) {
        return new ModelSettings(type, hashBits, optimizer, learningRate, newSchedule, newPowerT, l1, l2, ftrlBeta,
                normalize, initialClasses, allowNewClasses);
    }

    /** A copy with feature normalisation on or off. */
    public ModelSettings withNormalize(final boolean on) {
        return new ModelSettings(type, hashBits, optimizer, learningRate, schedule, powerT, l1, l2, ftrlBeta,
                on, initialClasses, allowNewClasses);
    }

    /** A copy with another number of hash bits. */
    public ModelSettings withHashBits(final int bits) {
        return new ModelSettings(type, bits, optimizer, learningRate, schedule, powerT, l1, l2, ftrlBeta,
                normalize, initialClasses, allowNewClasses);
    }

    /** A copy with other classes (and class growth). */
    public ModelSettings withClasses(final List<String> classes, final boolean allowNew) {
        return new ModelSettings(type, hashBits, optimizer, learningRate, schedule, powerT, l1, l2, ftrlBeta,
                normalize, classes, allowNew);
    }

    /** Number of logits per feature: 1 for binary, the number of classes for softmax. */
    public int logitsFor(final int classCount) {
        return type == ModelType.BINARY ? 1 : classCount;
    }

    /** SGD's step size at step {@code t}. */
    double rate(final long t) {
        return schedule.rate(learningRate, powerT, l1 + l2, t);
    }

    private static void requirePositive(final double value, final String name) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
        }
    }

    private static void requireNonNegative(final double value, final String name) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be >= 0 and finite, got " + value);
        }
    }
}
