package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each optimizer's step against numbers worked by hand from docs/MATH.md, and the lazy catch-up of
 * every optimizer with elastic net against an eager implementation written here, which
 * regularises every weight at every step.
 */
class OptimizersTest {
    private static final SparseVector X = SparseVector.of(new int[] {0}, new double[] {2.0});

    private static ModelSettings settings(final Optimizer optimizer, final double eta, final LearningRateSchedule schedule,
                                          final double l1, final double l2) {
        return new ModelSettings(ModelType.BINARY, 18, optimizer, eta, schedule, 0.5, l1, l2, 1.0, Normalization.NONE, 1, ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION,
                List.of("0", "1"), false, Interactions.NONE);
    }

    /** The first step from a fresh model on x = {0: 2}, label 1: p = 0.5, so g = -1 for w_0 and -0.5 for the bias. */
    private static double[] firstStep(final ModelSettings settings) {
        final ModelState model = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();
        OnlineLogisticRegression.learn(model, X, "1", 1.0, weights);
        return new double[] {weights.current(model, 0, 0), OnlineLogisticRegression.bias(model)[0]};
    }

    @Test
    void sgdStepIsTheProximalGradientStep() {
        // w = soft((1 - 0.1*0.1)*0 - 0.1*(-1), 0.1*0.01) = 0.1 - 0.001; b = 0 - 0.1*(-0.5)
        final double[] step = firstStep(settings(Optimizer.SGD, 0.1, LearningRateSchedule.CONSTANT, 0.01, 0.1));
        assertEquals(0.099, step[0], 1e-15);
        assertEquals(0.05, step[1], 1e-15);
    }

    @Test
    void sgdOptimalScheduleStartsAtAlphaToTheMinusQuarterAndDecaysAsOneOverAlphaT() {
        final double alpha = 1e-4;
        final LearningRateSchedule optimal = LearningRateSchedule.OPTIMAL;
        assertEquals(10.0, optimal.rate(0, 0, alpha, 1), 1e-12, "eta_1 = alpha^(-1/4)");
        // eta_t = 1 / (alpha (t0 + t - 1)) with t0 = 1 / (alpha eta_1) = 1000
        assertEquals(1.0 / (alpha * 1001), optimal.rate(0, 0, alpha, 2), 1e-15);
        assertEquals(1.0 / (alpha * 1999), optimal.rate(0, 0, alpha, 1000), 1e-15);
        // first step with l2 = alpha: w = soft((1 - 10*1e-4)*0 + 10, 0) = 10, b = 5
        final double[] step = firstStep(settings(Optimizer.SGD, 1, optimal, 0, alpha));
        assertEquals(10.0, step[0], 1e-12);
        assertEquals(5.0, step[1], 1e-12);
    }

    @Test
    void adagradStepDividesByTheRootOfTheSquaredGradients() {
        // G = 1, a = 0.5 / (1 + eps); w = soft(0 + a, a*0.01) / (1 + a*0.1); bias: G = 0.25, b = 0.5 / (0.5 + eps) * 0.5
        final double a = 0.5 / (1 + ModelSettings.ADAGRAD_EPSILON);
        final double[] step = firstStep(settings(Optimizer.ADAGRAD, 0.5, LearningRateSchedule.CONSTANT, 0.01, 0.1));
        assertEquals((a - a * 0.01) / (1 + a * 0.1), step[0], 1e-15);
        assertEquals(0.4714285714285714, step[0], 1e-8);
        assertEquals(0.5 / (0.5 + ModelSettings.ADAGRAD_EPSILON) * 0.5, step[1], 1e-15);
    }

    @Test
    void ftrlStepFollowsMcMahanEtAl() {
        // weight: sigma = (sqrt(1) - 0) / 0.5 = 2, z = -1 - 2*0 = -1, n = 1,
        // w = -(z - sign(z)*0.01) / ((1 + 1) / 0.5 + 0.1) = 0.99 / 4.1
        // bias (no penalty): sigma = 0.5 / 0.5 = 1, z = -0.5, n = 0.25, b = 0.5 / ((1 + 0.5) / 0.5)
        final double[] step = firstStep(settings(Optimizer.FTRL, 0.5, LearningRateSchedule.CONSTANT, 0.01, 0.1));
        assertEquals(0.99 / 4.1, step[0], 1e-15);
        assertEquals(0.5 / 3, step[1], 1e-15);
    }

    @Test
    void nagStepIsAdaGradsDividedByTheRootMeanSquaredNormOfTheExamples() {
        // N = 1 (the bias) + 2^2 = 5 after one example of importance 1, so r = 0.5 (1 / 5)^(3/4);
        // weight: g = -1, G = 1, w = soft((1 - r*0.1)*0 - r*(-1) / (beta + 1), r*0.01) = r (1/2 - 0.01)
        // bias (no penalty): g = -0.5, G = 0.25, b = r * 0.5 / (1 + 0.5) = r / 3
        final double r = 0.5 / Math.pow(5, 0.75);
        final double[] step = firstStep(settings(Optimizer.NAG, 0.5, LearningRateSchedule.CONSTANT, 0.01, 0.1));
        assertEquals(r / (2 + ModelSettings.ADAGRAD_EPSILON) - 0.01 * r, step[0], 1e-15);
        assertEquals(0.0732720899060026, step[0], 1e-8);
        assertEquals(r * 0.5 / (1.5 + ModelSettings.ADAGRAD_EPSILON), step[1], 1e-15);
        assertEquals(0.04984495904174096, step[1], 1e-8);
    }

    @Test
    void averagedSgdServesTheMeanOfItsIteratesAndTakesGradientsAtTheIterate() {
        final ModelSettings s = settings(Optimizer.ASGD, 0.1, LearningRateSchedule.CONSTANT, 0, 0.1);
        final ModelState model = ModelState.fresh(s);
        final ModelRows weights = new ModelRows();
        OnlineLogisticRegression.learn(model, X, "1", 1.0, weights);
        // iterate w1 = 0.1, b1 = 0.05; the mean of one iterate is itself
        assertEquals(0.1, weights.current(model, 0, 0), 1e-15);
        final SparseVector x2 = SparseVector.of(new int[] {0, 1}, new double[] {2.0, 4.0});
        final StepResult second = OnlineLogisticRegression.learn(model, x2, "0", 1.0, weights);
        // progressive prediction from the mean (= the iterate after one step): z = 0.1*2 + 0.05
        assertEquals(0.25, second.progressive().logit(), 1e-15);
        final double p = 1 / (1 + Math.exp(-0.25));
        final double w2 = (1 - 0.1 * 0.1) * 0.1 - 0.1 * p * 2;
        final double v2 = -0.1 * p * 4;
        final double b2 = 0.05 - 0.1 * p;
        assertEquals((0.1 + w2) / 2, weights.current(model, 0, 0), 1e-15);
        assertEquals(v2 / 2, weights.current(model, 1, 0), 1e-15, "w_1 was 0 at step 1");
        assertEquals((0.05 + b2) / 2, OnlineLogisticRegression.bias(model)[0], 1e-15);
    }

    @Test
    void aRowNewerThanTheModelReadingItIsServedAsStored() {
        // a scorer's copy of the model can see a row's update before the header's
        final ModelState model = ModelState.fresh(settings(Optimizer.SGD, 0.1, LearningRateSchedule.CONSTANT, 0.01, 0.1));
        final ModelRows weights = new ModelRows();
        OnlineLogisticRegression.learn(model, X, "1", 1.0, weights);
        final ModelState olderHeader = new ModelState(model.settings(), model.classes(), model.version(), model.clock(),
                model.biasState(), model.metrics(), model.classCounts());
        OnlineLogisticRegression.learn(model, X, "1", 1.0, weights);
        final WeightRow newer = weights.read(0);
        assertEquals(newer.slots()[0], OnlineLogisticRegression.weight(olderHeader, newer, 0), 0.0);
    }

    @Test
    void averagedSgdWithPenaltiesNeedsTheConstantSchedule() {
        assertThrows(IllegalArgumentException.class,
                () -> settings(Optimizer.ASGD, 0.1, LearningRateSchedule.INVSCALING, 0, 0.1));
        settings(Optimizer.ASGD, 0.1, LearningRateSchedule.INVSCALING, 0, 0);
    }

    /**
     * A sparse stream over 30 features, of which each example has 1 to 3: most weights sit
     * untouched for many steps, so the lazy catch-up does most of the regularisation.
     */
    @ParameterizedTest(name = "{0} {1} eta={2} l1={3} l2={4} batch={5}")
    @CsvSource({
            "SGD, CONSTANT, 0.2, 0.002, 0.05, 1",
            "SGD, INVSCALING, 0.5, 0.01, 0.01, 1",
            "SGD, OPTIMAL, 1, 0.001, 0.01, 1",
            "SGD, INVSCALING, 0.5, 0.01, 0, 1",
            "ASGD, CONSTANT, 0.2, 0.002, 0.05, 1",
            "ASGD, CONSTANT, 0.2, 0.01, 0, 1",
            "ASGD, CONSTANT, 0.2, 0, 0.05, 1",
            "ASGD, INVSCALING, 0.5, 0, 0, 1",
            "ADAGRAD, CONSTANT, 0.5, 0.002, 0.05, 1",
            "ADAGRAD, CONSTANT, 0.5, 0.02, 0, 1",
            "FTRL, CONSTANT, 0.5, 0.5, 0.1, 1",
            "NAG, CONSTANT, 0.5, 0.002, 0.05, 1",
            "NAG, CONSTANT, 1, 0.02, 0, 1",
            "NAG, CONSTANT, 1, 0, 0.1, 1",
            "NAG, CONSTANT, 2.5, 0, 0, 1",
            "SGD, INVSCALING, 0.5, 0.01, 0.01, 7",
            "SGD, OPTIMAL, 1, 0.001, 0.01, 4",
            "ASGD, CONSTANT, 0.2, 0.002, 0.05, 7",
            "ASGD, INVSCALING, 0.5, 0, 0, 3",
            "ADAGRAD, CONSTANT, 0.5, 0.002, 0.05, 7",
            "FTRL, CONSTANT, 0.5, 0.5, 0.1, 7"})
    void lazyRegularisationEqualsTheEagerComputation(final Optimizer optimizer, final LearningRateSchedule schedule,
                                                      final double eta, final double l1, final double l2,
                                                      final int batchSize) {
        final ModelSettings s = settings(optimizer, eta, schedule, l1, l2).withBatchSize(batchSize);
        final ModelState model = ModelState.fresh(s);
        final ModelRows weights = new ModelRows();
        final Eager eager = new Eager(s, 30);
        final Random random = new Random(5);
        int zeros = 0;
        for (int t = 1; t <= 3000; t++) {
            final int nnz = 1 + random.nextInt(3);
            final int[] idx = new int[nnz];
            final double[] val = new double[nnz];
            for (int j = 0; j < nnz; j++) {
                idx[j] = random.nextInt(30);
                val[j] = random.nextGaussian();
            }
            final SparseVector x = SparseVector.of(idx, val);
            final String label = (x.indexAt(0) % 3 == 0) == (x.valueAt(0) > 0) ? "1" : "0";
            final StepResult lazy = OnlineLogisticRegression.learn(model, x, label, 1.0, weights);
            final double eagerLogit = eager.learn(x, label.equals("1") ? 1 : 0);
            assertEquals(eagerLogit, lazy.progressive().logit(), 1e-9, "progressive logit at step " + t);
        }
        for (int i = 0; i < 30; i++) {
            assertEquals(eager.served(i), weights.current(model, i, 0), 1e-9, "w[" + i + "]");
            if (eager.served(i) == 0) {
                zeros++;
                assertEquals(0.0, weights.current(model, i, 0), 0.0, "an eager zero is a lazy zero: w[" + i + "]");
            }
        }
        assertEquals(eager.servedBias(), OnlineLogisticRegression.bias(model)[0], 1e-9, "bias");
        assertTrue(zeros < 30, "the weights moved");
    }

    /**
     * The eager reference: every coordinate takes every step (with gradient 0 when absent); with
     * mini-batches, a step every B examples on the mean of their gradients, each example
     * predicted by the weights of the steps before its batch.
     */
    private static final class Eager {
        private final ModelSettings s;
        private final double[] batchGradient;
        private double batchBiasGradient;
        private long examples;
        private final double[] w;
        private final double[] state;
        private final double[] sum;
        private double b;
        private double bState;
        private double bSum;
        private long t;
        /** NAG: the sums of the examples' squared norms (the bias's 1 included) and of their importances. */
        private double norms;
        private double importances;

        Eager(final ModelSettings s, final int d) {
            this.s = s;
            this.w = new double[d];
            this.state = new double[d];
            this.sum = new double[d];
            this.batchGradient = new double[d];
        }

        double served(final int i) {
            return switch (s.optimizer()) {
                case ASGD -> t == 0 ? w[i] : sum[i] / t;
                case FTRL -> ftrl(w[i], state[i], s.l1(), s.l2());
                default -> w[i];
            };
        }

        double servedBias() {
            return switch (s.optimizer()) {
                case ASGD -> t == 0 ? b : bSum / t;
                case FTRL -> ftrl(b, bState, 0, 0);
                default -> b;
            };
        }

        private double ftrl(final double z, final double n, final double l1, final double l2) {
            return Math.abs(z) <= l1 ? 0 : -(z - Math.signum(z) * l1) / ((s.ftrlBeta() + Math.sqrt(n)) / s.learningRate() + l2);
        }

        /** Learns one example; returns the progressive logit. */
        double learn(final SparseVector x, final int y) {
            double served = servedBias();
            double iterate = s.optimizer() == Optimizer.FTRL ? servedBias() : b;
            for (int j = 0; j < x.size(); j++) {
                served += served(x.indexAt(j)) * x.valueAt(j);
                iterate += (s.optimizer() == Optimizer.FTRL ? served(x.indexAt(j)) : w[x.indexAt(j)]) * x.valueAt(j);
            }
            final double z = s.optimizer() == Optimizer.ASGD ? iterate : served;
            final double example = 1 / (1 + Math.exp(-z)) - y;
            for (int i = 0; i < w.length; i++) {
                batchGradient[i] += example * x.get(i);
            }
            batchBiasGradient += example;
            norms += 1;
            for (int j = 0; j < x.size(); j++) {
                norms += x.valueAt(j) * x.valueAt(j);
            }
            importances += 1;
            if (++examples % s.batchSize() != 0) {
                return served;
            }
            final double g = batchBiasGradient / s.batchSize();
            batchBiasGradient = 0;
            t++;
            final double eta = s.optimizer() == Optimizer.NAG ? s.learningRate() * Math.pow(importances / norms, 0.75)
                    : s.schedule().rate(s.learningRate(), s.powerT(), s.l1() + s.l2(), t);
            for (int i = 0; i < w.length; i++) {
                final double gi = batchGradient[i] / s.batchSize();
                batchGradient[i] = 0;
                switch (s.optimizer()) {
                    case SGD, ASGD -> {
                        w[i] = soft((1 - eta * s.l2()) * w[i] - eta * gi, eta * s.l1());
                        sum[i] += w[i];
                    }
                    case ADAGRAD -> {
                        state[i] += gi * gi;
                        final double a = s.learningRate() / (Math.sqrt(state[i]) + ModelSettings.ADAGRAD_EPSILON);
                        // a coordinate never touched has G = 0 and w = 0: soft(0) / (...) = 0
                        w[i] = soft(w[i] - a * gi, a * s.l1()) / (1 + a * s.l2());
                    }
                    case NAG -> {
                        state[i] += gi * gi;
                        final double a = eta / (s.ftrlBeta() + Math.sqrt(state[i]) + ModelSettings.ADAGRAD_EPSILON);
                        w[i] = soft((1 - eta * s.l2()) * w[i] - a * gi, eta * s.l1());
                    }
                    case FTRL -> {
                        if (gi != 0) {
                            final double sigma = (Math.sqrt(state[i] + gi * gi) - Math.sqrt(state[i])) / s.learningRate();
                            w[i] += gi - sigma * ftrl(w[i], state[i], s.l1(), s.l2());
                            state[i] += gi * gi;
                        }
                    }
                }
            }
            switch (s.optimizer()) {
                case SGD, ASGD -> {
                    b -= eta * g;
                    bSum += b;
                }
                case ADAGRAD -> {
                    bState += g * g;
                    b -= s.learningRate() / (Math.sqrt(bState) + ModelSettings.ADAGRAD_EPSILON) * g;
                }
                case FTRL -> {
                    final double sigma = (Math.sqrt(bState + g * g) - Math.sqrt(bState)) / s.learningRate();
                    b += g - sigma * ftrl(b, bState, 0, 0);
                    bState += g * g;
                }
                case NAG -> {
                    bState += g * g;
                    b -= eta / (s.ftrlBeta() + Math.sqrt(bState) + ModelSettings.ADAGRAD_EPSILON) * g;
                }
                default -> throw new IllegalArgumentException(s.optimizer().name());
            }
            return served;
        }

        private static double soft(final double v, final double c) {
            return Math.signum(v) * Math.max(Math.abs(v) - c, 0);
        }
    }

    @Test
    void ftrlWithL1SetsIrrelevantWeightsToExactlyZero() {
        final Random random = new Random(9);
        final int d = 200;
        final ModelState sparse = ModelState.fresh(settings(Optimizer.FTRL, 0.5, LearningRateSchedule.CONSTANT, 10.0, 0));
        final ModelState dense = ModelState.fresh(settings(Optimizer.FTRL, 0.5, LearningRateSchedule.CONSTANT, 0, 0));
        final ModelRows sparseWeights = new ModelRows();
        final ModelRows denseWeights = new ModelRows();
        for (int t = 0; t < 5000; t++) {
            // features 0..4 decide the label; 5..199 are noise
            final int[] idx = new int[20];
            final double[] val = new double[20];
            double signal = 0;
            for (int j = 0; j < 20; j++) {
                idx[j] = j < 5 ? j : 5 + random.nextInt(d - 5);
                val[j] = random.nextGaussian();
                if (j < 5) {
                    signal += val[j];
                }
            }
            final SparseVector x = SparseVector.of(idx, val);
            final String label = signal > 0 ? "1" : "0";
            OnlineLogisticRegression.learn(sparse, x, label, 1.0, sparseWeights);
            OnlineLogisticRegression.learn(dense, x, label, 1.0, denseWeights);
        }
        int sparseZeros = 0;
        int denseZeros = 0;
        for (int i = 5; i < d; i++) {
            sparseZeros += sparseWeights.current(sparse, i, 0) == 0.0 ? 1 : 0;
            denseZeros += denseWeights.current(dense, i, 0) == 0.0 ? 1 : 0;
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(sparseWeights.current(sparse, i, 0) > 0.5, "a relevant weight survives L1: w[" + i + "]");
        }
        assertTrue(sparseZeros >= 190, "L1 zeroes the noise: " + sparseZeros + " of 195 are exactly 0");
        assertEquals(0, denseZeros, "without L1 no weight is exactly 0");
        assertTrue(sparse.metrics().accuracy() > 0.9, "accuracy " + sparse.metrics().accuracy());
    }

    @Test
    void aStepOnAWeightThatWouldOverflowIsRefusedForEveryOptimizer() {
        for (final Optimizer optimizer : Optimizer.values()) {
            final ModelState model = ModelState.fresh(settings(optimizer, 10, LearningRateSchedule.CONSTANT, 0,
                    optimizer == Optimizer.RLS ? 1 : 0));
            final ModelRows weights = new ModelRows();
            OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {1}, new double[] {1e100}), "0", 1.0, weights);
            final double before = weights.current(model, 1, 0);
            assertTrue(Double.isFinite(before), optimizer + " first step is finite");
            final RejectedInputException e = assertThrows(RejectedInputException.class, () -> {
                for (int i = 0; i < 10; i++) {
                    OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {1}, new double[] {1e300}),
                            i % 2 == 0 ? "1" : "0", 1.0, weights);
                }
            }, optimizer.name());
            assertEquals(RejectReason.NUMERIC_OVERFLOW, e.reason());
            assertTrue(Double.isFinite(weights.current(model, 1, 0)));
            assertTrue(Double.isFinite(OnlineLogisticRegression.bias(model)[0]));
        }
    }
}
