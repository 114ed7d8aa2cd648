package io.kafkaolr.core;

import java.util.List;
import java.util.Objects;

/**
 * How a model learns: fixed when the model is created and stored with it.
 *
 * @param type binary or softmax
 * @param hashBits the feature-hashing dimension is {@code 2^hashBits}
 * @param learningRate {@code eta0}
 * @param schedule how the step size decays
 * @param powerT the exponent of the inverse-scaling schedule
 * @param l2 the L2 penalty {@code lambda2} (the bias is not penalised)
 * @param initialClasses for binary models exactly {@code [negative, positive]}; for softmax
 *     models the classes known from the start (possibly none)
 * @param allowNewClasses softmax only: whether a label never seen adds a class
 */
public record ModelSettings(
        ModelType type,
        int hashBits,
        double learningRate,
        LearningRateSchedule schedule,
        double powerT,
        double l2,
        List<String> initialClasses,
        boolean allowNewClasses) {

    /** Validates the settings. */
    public ModelSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(schedule, "schedule");
        initialClasses = List.copyOf(initialClasses);
        if (hashBits < 1 || hashBits > FeatureHasher.MAX_BITS) {
            throw new IllegalArgumentException("hash bits must be in [1, " + FeatureHasher.MAX_BITS + "], got " + hashBits);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (!(powerT >= 0) || !Double.isFinite(powerT)) {
            throw new IllegalArgumentException("power_t must be >= 0, got " + powerT);
        }
        if (!(l2 >= 0) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
        }
        // the step size never grows, so eta0 * l2 < 1 keeps every shrink factor in (0, 1]
        if (learningRate * l2 >= 1) {
            throw new IllegalArgumentException(
                    "learning rate * l2 must be < 1 (each step multiplies weights by 1 - eta*l2), got " + learningRate * l2);
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

    /** Binary model with the given settings and labels "0" (negative) and "1" (positive), no regularisation. */
    public static ModelSettings binary(final double learningRate, final LearningRateSchedule schedule) {
        return new ModelSettings(ModelType.BINARY, FeatureHasher.DEFAULT_BITS, learningRate, schedule, 0.5, 0.0,
                List.of("0", "1"), false);
    }

    /** Softmax model that adds classes as they appear, no regularisation. */
    public static ModelSettings softmax(final double learningRate, final LearningRateSchedule schedule) {
        return new ModelSettings(ModelType.SOFTMAX, FeatureHasher.DEFAULT_BITS, learningRate, schedule, 0.5, 0.0,
                List.of(), true);
    }

    /** A copy with another L2 penalty. */
    public ModelSettings withL2(final double newL2) {
        return new ModelSettings(type, hashBits, learningRate, schedule, powerT, newL2, initialClasses, allowNewClasses);
    }

    /** A copy with another number of hash bits. */
    public ModelSettings withHashBits(final int bits) {
        return new ModelSettings(type, bits, learningRate, schedule, powerT, l2, initialClasses, allowNewClasses);
    }

    /** A copy with other classes (and class growth). */
    public ModelSettings withClasses(final List<String> classes, final boolean allowNew) {
        return new ModelSettings(type, hashBits, learningRate, schedule, powerT, l2, classes, allowNew);
    }

    /** Number of logits per feature: 1 for binary, the number of classes for softmax. */
    public int logitsFor(final int classCount) {
        return type == ModelType.BINARY ? 1 : classCount;
    }
}
