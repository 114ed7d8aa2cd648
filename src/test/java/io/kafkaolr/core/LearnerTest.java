package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free {@link Learner}: no allocation per step once its buffers and the model's
 * rows exist, a refused step that leaves the rows as they were, and the same numbers, to the
 * bit, whether the rows are held in a {@link ModelRows} or behind another {@link WeightAccess}
 * (as the topology's store adapter holds them).
 */
class LearnerTest {

    static Stream<ModelSettings> settings() {
        final ModelSettings binary = ModelSettings.binary(0.1, LearningRateSchedule.INVSCALING);
        return Stream.of(
                binary.withOptimizer(Optimizer.FTRL, 0.5).withNormalization(Normalization.STANDARDIZE),
                binary.withPenalties(1e-4, 1e-3),
                binary.withSchedule(LearningRateSchedule.CONSTANT, 0.5).withOptimizer(Optimizer.ASGD, 0.05)
                        .withPenalties(1e-4, 1e-3).withBatchSize(3),
                ModelSettings.softmax(0.1, LearningRateSchedule.CONSTANT).withOptimizer(Optimizer.ADAGRAD, 0.5)
                        .withPenalties(1e-3, 1e-3).withNormalization(Normalization.SCALE).withBatchSize(2),
                ModelSettings.softmax(0.1, LearningRateSchedule.CONSTANT).withL2(1.0).withOptimizer(Optimizer.RLS, 1.0)
                        .withNormalization(Normalization.STANDARDIZE));
    }

    private static SparseVector[] examples(final Random random, final int count, final int dimension) {
        final SparseVector[] xs = new SparseVector[count];
        for (int i = 0; i < count; i++) {
            final int nnz = 1 + random.nextInt(8);
            final int[] indices = new int[nnz];
            final double[] values = new double[nnz];
            for (int j = 0; j < nnz; j++) {
                // feature 0 in every example: standardised
                indices[j] = j == 0 ? 0 : random.nextInt(dimension);
                values[j] = random.nextGaussian() * (j + 1) + j;
            }
            xs[i] = SparseVector.of(indices, values);
        }
        return xs;
    }

    @ParameterizedTest
    @MethodSource("settings")
    void learnsAndPredictsWithoutAllocatingOnceTheRowsExist(final ModelSettings s) {
        if (s.optimizer() == Optimizer.RLS) {
            return; // least squares allocates O(d^2) per step, by design
        }
        final Random random = new Random(11);
        final SparseVector[] xs = examples(random, 256, 500);
        final String[] labels = s.type() == ModelType.BINARY ? new String[] {"0", "1"} : new String[] {"a", "b", "c"};
        final ModelState model = ModelState.fresh(s);
        final ModelRows rows = new ModelRows();
        final Learner learner = new Learner();
        for (int i = 0; i < 20_000; i++) {
            learner.learn(model, xs[i % xs.length], labels[i % labels.length], 1.0, rows);
            learner.predict(model, xs[(i * 7) % xs.length], rows);
        }
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long id = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(id);
        double sink = 0;
        for (int i = 0; i < 10_000; i++) {
            learner.learn(model, xs[i % xs.length], labels[(i / 3) % labels.length], 1.0, rows);
            sink += learner.logLoss();
            learner.predict(model, xs[(i * 7) % xs.length], rows);
            sink += learner.probability(0);
        }
        final long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(Double.isFinite(sink));
        // the measuring call itself may allocate a little; one array per step would be > 160,000 bytes
        assertTrue(allocated < 4_000, allocated + " bytes allocated in 10,000 steps and predictions");
    }

    @Test
    void aRefusedStepAddsNoRowAndMarksNoneDirty() {
        final ModelState model = ModelState.fresh(ModelSettings.binary(10, LearningRateSchedule.CONSTANT));
        final ModelRows rows = new ModelRows();
        final Learner learner = new Learner();
        learner.learn(model, SparseVector.of(new int[] {1}, new double[] {1e30}), "0", 1.0, rows);
        rows.clearDirty();
        final WeightRow before = rows.read(1);
        final ModelState state = new ModelState(model.settings(), model.classes(), model.version(), model.clock(),
                model.biasState(), model.pendingBias(), model.metrics(), model.classCounts());
        final RejectedInputException e = assertThrows(RejectedInputException.class, () -> learner.learn(model,
                SparseVector.of(new int[] {1, 2}, new double[] {1e300, 1.0}), "1", 1.0, rows));
        assertEquals(RejectReason.NUMERIC_OVERFLOW, e.reason());
        assertEquals(1, rows.size(), "the new feature 2 has no row");
        assertEquals(0, rows.dirtyCount());
        assertEquals(before, rows.read(1));
        assertEquals(state, model);
    }

    @ParameterizedTest
    @MethodSource("settings")
    void rowsBehindAnotherAccessLearnTheSameNumbersToTheBit(final ModelSettings s) {
        final Random random = new Random(5);
        final SparseVector[] xs = examples(random, 400, 60);
        final String[] labels = s.type() == ModelType.BINARY ? new String[] {"0", "1"} : new String[] {"a", "b", "c", "d"};
        final ModelState inMemory = ModelState.fresh(s);
        final ModelState behind = ModelState.fresh(s);
        final ModelRows rows = new ModelRows();
        final Map<Integer, WeightRow> store = new HashMap<>();
        final WeightAccess access = new WeightAccess() {
            @Override
            public WeightRow read(final int index) {
                return store.get(index);
            }

            @Override
            public void write(final int index, final WeightRow row) {
                store.put(index, row);
            }
        };
        for (int i = 0; i < xs.length; i++) {
            // classes appear one by one: rows written before a class was added stay shorter
            final String label = labels[random.nextInt(Math.min(labels.length, 2 + i / 100))];
            final StepResult a = OnlineLogisticRegression.learn(inMemory, xs[i], label, 1.0, rows);
            final StepResult b = OnlineLogisticRegression.learn(behind, xs[i], label, 1.0, access);
            assertArrayEquals(a.progressive().logits(), b.progressive().logits(), 0.0);
            assertArrayEquals(a.progressive().probabilities(), b.progressive().probabilities(), 0.0);
            assertEquals(a.logLoss(), b.logLoss(), 0.0);
            assertEquals(inMemory, behind);
        }
        assertEquals(store.size(), rows.size());
        store.forEach((index, row) -> assertEquals(row, rows.read(index), "row " + index));
        for (final SparseVector x : List.of(xs[0], xs[1], xs[2])) {
            assertArrayEquals(OnlineLogisticRegression.predict(inMemory, x, rows).probabilities(),
                    OnlineLogisticRegression.predict(behind, x, access).probabilities(), 0.0);
        }
    }
}
