package io.kafkaolr.core;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a model learns: fixed when the model is created and stored with it.
 *
 * @param type binary or softmax
 * @param hashBits the feature-hashing dimension is {@code 2^hashBits}
 * @param optimizer how the weights move
 * @param learningRate {@code eta0} of SGD, averaged SGD and AdaGrad; {@code alpha} of FTRL; {@code eta} of NAG
 * @param schedule how SGD's and averaged SGD's step size decays (ignored by AdaGrad, FTRL and NAG)
 * @param powerT the exponent of the inverse-scaling schedule
 * @param l1 the L1 penalty {@code lambda1} (the bias is never penalised)
 * @param l2 the L2 penalty {@code lambda2}
 * @param ftrlBeta FTRL's {@code beta} (smooths the first steps of each coordinate)
 * @param normalization how feature values are transformed before learning ({@link Normalization})
 * @param batchSize the number of examples whose gradients are averaged into one step (1: a
 *     step per example); the weights a batch's examples are predicted with are those of the
 *     steps before it
 * @param labelClip the logit least-squares trainer's {@code eps}: labels are clipped to
 *     {@code [eps, 1 - eps]} before their logit is taken
 * @param maxDimension the logit least-squares trainer's limit on the number of features: an
 *     example bringing more is refused
 * @param initialClasses for binary models exactly {@code [negative, positive]}; for softmax
 *     models the classes known from the start (possibly none)
 * @param allowNewClasses softmax only: whether a label never seen adds a class
 * @param interactions the feature crosses added to every example and event ({@link Interactions};
 *     {@link Interactions#NONE}: none)
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
        Normalization normalization,
        int batchSize,
        double labelClip,
        int maxDimension,
        List<String> initialClasses,
        boolean allowNewClasses,
        Interactions interactions) {

    /** AdaGrad's {@code eps}: keeps the first step of a coordinate finite when its gradient is 0. */
    public static final double ADAGRAD_EPSILON = 1e-8;
    /** The logit least-squares trainer's label clip when none is configured. */
    public static final double DEFAULT_LABEL_CLIP = 0.05;
    /** The logit least-squares trainer's feature limit when none is configured. */
    public static final int DEFAULT_MAX_DIMENSION = 256;

    /** Validates the settings. */
    public ModelSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(normalization, "normalization");
        Objects.requireNonNull(interactions, "interactions");
        initialClasses = List.copyOf(initialClasses);
        if (hashBits < 1 || hashBits > FeatureHasher.MAX_BITS) {
            throw new IllegalArgumentException("hash bits must be in [1, " + FeatureHasher.MAX_BITS + "], got " + hashBits);
        }
        requirePositive(learningRate, "learning rate");
        requireNonNegative(powerT, "power_t");
        requireNonNegative(l1, "l1");
        requireNonNegative(l2, "l2");
        requireNonNegative(ftrlBeta, "ftrl beta");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(labelClip > 0 && labelClip < 0.5)) {
            throw new IllegalArgumentException("the label clip must be in (0, 0.5), got " + labelClip);
        }
        if (maxDimension < 1) {
            throw new IllegalArgumentException("the maximum dimension must be >= 1, got " + maxDimension);
        }
        if (optimizer == Optimizer.RLS) {
            if (!(l2 > 0)) {
                throw new IllegalArgumentException("recursive least squares needs a ridge l2 > 0 (the inverse of its"
                        + " prior variance), got " + l2);
            }
            if (l1 > 0 || batchSize > 1) {
                throw new IllegalArgumentException("recursive least squares takes no l1 and no mini-batches");
            }
        }
        if (optimizer == Optimizer.NAG) {
            if (batchSize > 1) {
                throw new IllegalArgumentException("nag takes no mini-batches (each step is normalised by its own"
                        + " example's norm), got a batch size of " + batchSize + ": choose another optimizer for"
                        + " mini-batches");
            }
            // its step size never exceeds eta, and each step multiplies weights by 1 - step*l2
            if (learningRate * l2 >= 1) {
                throw new IllegalArgumentException("nag needs learning rate * l2 < 1 (each step multiplies weights by"
                        + " 1 - eta*l2), got " + learningRate * l2);
            }
        }
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
                0.5, 0.0, 0.0, 1.0, Normalization.NONE, 1, DEFAULT_LABEL_CLIP, DEFAULT_MAX_DIMENSION, List.of("0", "1"), false,
                Interactions.NONE);
    }

    /** Softmax SGD model on raw features that adds classes as they appear, no regularisation. */
    public static ModelSettings softmax(final double learningRate, final LearningRateSchedule schedule) {
        return binary(learningRate, schedule).edit(b -> {
            b.type = ModelType.SOFTMAX;
            b.initialClasses = List.of();
            b.allowNewClasses = true;
        });
    }

    /** A copy with another L2 penalty. */
    public ModelSettings withL2(final double newL2) {
        return edit(b -> b.l2 = newL2);
    }

    /** A copy with other L1 and L2 penalties. */
    public ModelSettings withPenalties(final double newL1, final double newL2) {
        return edit(b -> {
            b.l1 = newL1;
            b.l2 = newL2;
        });
    }

    /** A copy with another optimizer and learning rate. */
    public ModelSettings withOptimizer(final Optimizer newOptimizer, final double newLearningRate) {
        return edit(b -> {
            b.optimizer = newOptimizer;
            b.learningRate = newLearningRate;
        });
    }

    /** A copy with another schedule. */
    public ModelSettings withSchedule(final LearningRateSchedule newSchedule, final double newPowerT) {
        return edit(b -> {
            b.schedule = newSchedule;
            b.powerT = newPowerT;
        });
    }

    /** A copy with another feature normalisation. */
    public ModelSettings withNormalization(final Normalization newNormalization) {
        return edit(b -> b.normalization = newNormalization);
    }

    /** A copy with another label clip and feature limit for the logit least-squares trainer. */
    public ModelSettings withLeastSquares(final double newLabelClip, final int newMaxDimension) {
        return edit(b -> {
            b.labelClip = newLabelClip;
            b.maxDimension = newMaxDimension;
        });
    }

    /** A copy with another mini-batch size. */
    public ModelSettings withBatchSize(final int newBatchSize) {
        return edit(b -> b.batchSize = newBatchSize);
    }

    /** A copy with other feature crosses. */
    public ModelSettings withInteractions(final Interactions newInteractions) {
        return edit(b -> b.interactions = newInteractions);
    }

    /** Whether feature values are transformed at all (and their statistics kept). */
    public boolean normalize() {
        return normalization != Normalization.NONE;
    }

    /** A copy with another number of hash bits. */
    public ModelSettings withHashBits(final int bits) {
        return edit(b -> b.hashBits = bits);
    }

    /** A copy with other classes (and class growth). */
    public ModelSettings withClasses(final List<String> classes, final boolean allowNew) {
        return edit(b -> {
            b.initialClasses = classes;
            b.allowNewClasses = allowNew;
        });
    }

    /** A copy with the changes {@code change} makes to a draft of these settings (validated again). */
    private ModelSettings edit(final Consumer<Draft> change) {
        final Draft draft = new Draft(this);
        change.accept(draft);
        return draft.build();
    }

    /** The settings as mutable fields, so that each copy names only what it changes. */
    private static final class Draft {
        private ModelType type;
        private int hashBits;
        private Optimizer optimizer;
        private double learningRate;
        private LearningRateSchedule schedule;
        private double powerT;
        private double l1;
        private double l2;
        private double ftrlBeta;
        private Normalization normalization;
        private int batchSize;
        private double labelClip;
        private int maxDimension;
        private List<String> initialClasses;
        private boolean allowNewClasses;
        private Interactions interactions;

        private Draft(final ModelSettings s) {
            type = s.type;
            hashBits = s.hashBits;
            optimizer = s.optimizer;
            learningRate = s.learningRate;
            schedule = s.schedule;
            powerT = s.powerT;
            l1 = s.l1;
            l2 = s.l2;
            ftrlBeta = s.ftrlBeta;
            normalization = s.normalization;
            batchSize = s.batchSize;
            labelClip = s.labelClip;
            maxDimension = s.maxDimension;
            initialClasses = s.initialClasses;
            allowNewClasses = s.allowNewClasses;
            interactions = s.interactions;
        }

        private ModelSettings build() {
            return new ModelSettings(type, hashBits, optimizer, learningRate, schedule, powerT, l1, l2, ftrlBeta,
                    normalization, batchSize, labelClip, maxDimension, initialClasses, allowNewClasses, interactions);
        }
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

    /**
     * The refusal of a model that hashes onto {@code 2^modelBits} dimensions by a processor that
     * hashes onto {@code 2^processorBits}: its rows would be looked up at other indices.
     *
     * @param what the model, as the message names it
     */
    public static RejectedInputException hashBitsMismatch(final String what, final int modelBits,
                                                          final int processorBits) {
        return new RejectedInputException(RejectReason.MODEL_MISMATCH, what + " hashes onto 2^" + modelBits
                + " dimensions, this processor onto 2^" + processorBits + " (olr.model.hash-bits)");
    }
}
