package io.kafkaolr.bench;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Learner;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.Normalization;
import io.kafkaolr.core.Optimizer;
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
 * The numeric core alone, on examples with 32 non-zero features at 2^18 and 2^24 hashed
 * dimensions: one progressive-validation step (predict + update) of the default learner (NAG,
 * standardised features) and of plain SGD with lazy L2, and one prediction, each on a model held
 * in a {@link ModelRows} through a {@link Learner}, as the processors hold them; against a
 * baseline doing the bare arithmetic of a step (dot product and axpy on a dense array) on the
 * same indices. The pom's bench profile runs it with the GC profiler, so that the bytes each
 * operation allocates are in the results next to its throughput.
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
    private FeatureHasher hasher;
    private double[] dense;
    private final Learner learner = new Learner();
    private ModelState defaultModel;
    private ModelRows defaultRows;
    private ModelState sgdModel;
    private ModelRows sgdRows;
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
        // the defaults of olr.model.* (OlrConfig): NAG at eta 5, beta 1, no penalty, standardised features
        defaultModel = ModelState.fresh(ModelSettings.binary(0.5, LearningRateSchedule.INVSCALING)
                .withOptimizer(Optimizer.NAG, 5.0).withNormalization(Normalization.STANDARDIZE).withHashBits(hashBits));
        defaultRows = new ModelRows();
        sgdModel = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.INVSCALING).withHashBits(hashBits)
                .withL2(1e-6));
        sgdRows = new ModelRows();
        dense = new double[1 << hashBits];
        // one pass first: predict and learn then work on a populated model, as in steady state
        for (int i = 0; i < EXAMPLES; i++) {
            learner.learn(defaultModel, xs[i], labels[i], 1.0, defaultRows);
            learner.learn(sgdModel, xs[i], labels[i], 1.0, sgdRows);
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

    /** One progressive-validation step of the default learner: predict, then NAG on standardised features. */
    @Benchmark
    public double learnDefault() {
        final int i = nextIndex();
        learner.learn(defaultModel, xs[i], labels[i], 1.0, defaultRows);
        return learner.logLoss();
    }

    /** One progressive-validation step of SGD with lazy L2 (raw features). */
    @Benchmark
    public double learnSgd() {
        final int i = nextIndex();
        learner.learn(sgdModel, xs[i], labels[i], 1.0, sgdRows);
        return learner.logLoss();
    }

    /** One prediction of the default learner's model. */
    @Benchmark
    public double predict() {
        learner.predict(defaultModel, xs[nextIndex()], defaultRows);
        return learner.probability(1);
    }

    /** Hashing 32 named features into a sparse vector. */
    @Benchmark
    public Object vectorize() {
        return hasher.vectorize(raw[nextIndex()], 10_000);
    }
}
