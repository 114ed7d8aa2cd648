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

/**
 * The heap a {@link ModelRows} takes per feature row, against the bytes of the numbers a row
 * holds: a model learns examples of 32 new features each until it has 1,000,000 rows, and the
 * used heap after a full collection is compared with the used heap before. Run with
 * {@code java -cp <test classpath> io.kafkaolr.bench.ModelRowsFootprint}, in a JVM of its own.
 */
public final class ModelRowsFootprint {
    private static final int ROWS = 1_000_000;

    private ModelRowsFootprint() {
    }

    /** Prints the bytes per row for the default learner (FTRL, standardised) and for plain SGD. */
    public static void main(final String[] args) {
        final ModelSettings binary = ModelSettings.binary(0.1, LearningRateSchedule.INVSCALING).withHashBits(30);
        // FTRL: z and n per logit; standardised: count, sum of squares, mean, squared deviations; the step
        report("ftrl, standardize", binary.withOptimizer(Optimizer.FTRL, 0.5)
                .withNormalization(Normalization.STANDARDIZE), 8 + 4 * 8 + 2 * 8);
        // SGD with L2: the weight, the step and the two numbers of its lazy-regularisation clock
        report("sgd, l2", binary.withL2(1e-6), 8 + 2 * 8 + 8);
    }

    private static void report(final String name, final ModelSettings settings, final int fieldBytes) {
        final long before = usedAfterGc();
        final ModelState model = ModelState.fresh(settings);
        final ModelRows rows = new ModelRows();
        final Learner learner = new Learner();
        final Random random = new Random(1);
        final int[] indices = new int[32];
        final double[] values = new double[32];
        int next = 0;
        while (rows.featureRows() < ROWS) {
            for (int j = 0; j < indices.length; j++) {
                // distinct indices spread over 2^30, as hashed names are
                indices[j] = (int) ((next++ * 0x9E3779B97F4A7C15L) >>> 34);
                values[j] = random.nextGaussian();
            }
            learner.learn(model, SparseVector.of(indices, values), random.nextBoolean() ? "1" : "0", 1.0, rows);
        }
        rows.clearDirty();
        final long after = usedAfterGc();
        final double perRow = (after - before) / (double) rows.featureRows();
        System.out.printf(Locale.ROOT, "%s: %d rows, %.1f bytes per row on the heap, %d bytes of fields (+4 of index):"
                + " %.2fx the fields, %.2fx fields and index%n", name, rows.featureRows(), perRow, fieldBytes,
                perRow / fieldBytes, perRow / (fieldBytes + 4));
        if (model.version() < 0) {
            System.out.println(rows.size());
        }
    }

    private static long usedAfterGc() {
        final Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        // several collections: the least used heap is the one without garbage
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
