package io.kafkaolr.bench;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.HashMapWeights;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.SparseVector;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The numeric core alone: one SGD step (predict + update) and one prediction on examples with
 * 32 non-zero features, at 2^18 and 2^24 hashed dimensions, against a baseline doing the bare
 * arithmetic of a step (dot product and axpy on a dense array) on the same indices.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CoreBenchmark {
    private static final int NNZ = 32;
    private static final int EXAMPLES = 4096;

    @Param({"18", "24"})
    int hashBits;

    private SparseVector[] xs;
    private Features[] raw;
    private String[] labels;
    private ModelState model;
    private HashMapWeights weights;
    private FeatureHasher hasher;
    private double[] dense;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        final Random random = new Random(1);
        hasher = new FeatureHasher(hashBits);
        xs = new SparseVector[EXAMPLES];
        raw = new Features[EXAMPLES];
        labels = new String[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            final Map<String, Double> numeric = new HashMap<>();
            while (numeric.size() < NNZ) {
                numeric.put("f" + random.nextInt(1_000_000), random.nextGaussian());
            }
            raw[i] = new Features(numeric, Map.of());
            xs[i] = hasher.vectorize(raw[i], 10_000);
            labels[i] = random.nextBoolean() ? "1" : "0";
        }
        model = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.INVSCALING).withHashBits(hashBits)
                .withL2(1e-6));
        weights = new HashMapWeights();
        dense = new double[1 << hashBits];
        // one pass first: predict and learn then work on a populated model, as in steady state
        for (int i = 0; i < EXAMPLES; i++) {
            OnlineLogisticRegression.learn(model, xs[i], labels[i], 1.0, weights);
        }
    }

    private int nextIndex() {
        next = (next + 1) & (EXAMPLES - 1);
        return next;
    }

    /** Baseline: the arithmetic of one step and nothing else (dense array, no lookups, no allocation). */
    @Benchmark
    public double baselineDenseStep() {
        final SparseVector x = xs[nextIndex()];
        double z = 0;
        for (int j = 0; j < x.size(); j++) {
            z += dense[x.indexAt(j)] * x.valueAt(j);
        }
        final double g = 1 / (1 + Math.exp(-z)) - 0.5;
        for (int j = 0; j < x.size(); j++) {
            dense[x.indexAt(j)] -= 0.01 * g * x.valueAt(j);
        }
        return z;
    }

    /** One progressive-validation step: predict, then SGD with lazy L2, on a hash-map weight store. */
    @Benchmark
    public Object learn() {
        final int i = nextIndex();
        return OnlineLogisticRegression.learn(model, xs[i], labels[i], 1.0, weights);
    }

    /** One prediction. */
    @Benchmark
    public Object predict() {
        return OnlineLogisticRegression.predict(model, xs[nextIndex()], weights);
    }

    /** Hashing 32 named features into a sparse vector. */
    @Benchmark
    public Object vectorize() {
        return hasher.vectorize(raw[nextIndex()], 10_000);
    }
}
