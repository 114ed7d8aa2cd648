package io.kafkaolr.bench;

import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Learner;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.Normalization;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.SparseVector;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;

/**
 * The core on a model far larger than {@link CoreBenchmark}'s, which stays in cache: examples of
 * 32 non-zeros drawn uniformly from {@code 2^bits} indices, learned once to fill the model (about
 * 4,000,000 rows with the defaults), then timed in rounds of learning (the default learner, then
 * SGD with lazy L2) and of prediction, so that a row's cache misses dominate. Run with
 * {@code java -Xmx8g -cp <test classpath> io.kafkaolr.bench.LargeModelTiming [bits] [examples]}.
 */
public final class LargeModelTiming {
    private static final int NNZ = 32;

    private LargeModelTiming() {
    }

    public static void main(final String[] args) {
        final int bits = args.length > 0 ? Integer.parseInt(args[0]) : 26;
        final int examples = args.length > 1 ? Integer.parseInt(args[1]) : 131_072;
        final Random random = new Random(1);
        final SparseVector[] xs = new SparseVector[examples];
        final String[] labels = new String[examples];
        for (int i = 0; i < examples; i++) {
            final TreeMap<Integer, Double> features = new TreeMap<>();
            while (features.size() < NNZ) {
                features.put(random.nextInt(1 << bits), random.nextGaussian());
            }
            final int[] indices = features.keySet().stream().mapToInt(Integer::intValue).toArray();
            final double[] values = features.values().stream().mapToDouble(Double::doubleValue).toArray();
            xs[i] = SparseVector.of(indices, values);
            labels[i] = random.nextBoolean() ? "1" : "0";
        }
        final ModelState defaultModel = ModelState.fresh(ModelSettings.binary(0.5, LearningRateSchedule.INVSCALING)
                .withOptimizer(Optimizer.FTRL, 0.5).withNormalization(Normalization.STANDARDIZE).withHashBits(bits));
        final ModelState sgdModel = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.INVSCALING)
                .withHashBits(bits).withL2(1e-6));
        final ModelRows defaultRows = new ModelRows();
        final ModelRows sgdRows = new ModelRows();
        final Learner learner = new Learner();
        for (int i = 0; i < examples; i++) {
            learner.learn(defaultModel, xs[i], labels[i], 1.0, defaultRows);
            learner.learn(sgdModel, xs[i], labels[i], 1.0, sgdRows);
        }
        System.out.printf(Locale.ROOT, "2^%d dimensions, %d rows%n", bits, defaultRows.featureRows());
        double sink = 0;
        for (int round = 0; round < 4; round++) {
            final long start = System.nanoTime();
            for (int i = 0; i < examples; i++) {
                learner.learn(defaultModel, xs[i], labels[i], 1.0, defaultRows);
                sink += learner.logLoss();
            }
            final long learnedDefault = System.nanoTime();
            for (int i = 0; i < examples; i++) {
                learner.learn(sgdModel, xs[i], labels[i], 1.0, sgdRows);
                sink += learner.logLoss();
            }
            final long learnedSgd = System.nanoTime();
            for (int i = 0; i < examples; i++) {
                sink += learner.predict(defaultModel, xs[i], defaultRows);
            }
            final long predicted = System.nanoTime();
            System.out.printf(Locale.ROOT, "round %d: learnDefault %.0f, learnSgd %.0f, predict %.0f ops/s%n", round,
                    examples / ((learnedDefault - start) / 1e9), examples / ((learnedSgd - learnedDefault) / 1e9),
                    examples / ((predicted - learnedSgd) / 1e9));
        }
        // keeps the work from being optimised away
        if (sink == Double.MIN_VALUE) {
            System.out.println(sink);
        }
    }
}
