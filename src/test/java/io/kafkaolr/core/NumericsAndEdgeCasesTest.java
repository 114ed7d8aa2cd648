package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The numbers docs/MATH.md says the code must survive, and the hashing contract. */
class NumericsAndEdgeCasesTest {

    @Test
    void linkFunctionsAndLossesStayFiniteAtExtremeLogits() {
        assertEquals(1.0, Numerics.sigmoid(1000), 0);
        assertEquals(0.0, Numerics.sigmoid(-1000), 0);
        assertEquals(0.5, Numerics.sigmoid(0), 0);
        assertEquals(1000.0, Numerics.softplus(1000), 0);
        assertEquals(Math.exp(-1000), Numerics.softplus(-1000), 0);
        assertEquals(1000.0, Numerics.binaryLogLoss(-1000, 1), 0, "confidently wrong: loss = |z|, not infinity");
        assertEquals(0.0, Numerics.binaryLogLoss(1000, 1), 0);
        assertEquals(Math.log(2), Numerics.binaryLogLoss(0, 0), 1e-15);
        final double[] z = {1000, -1000, 999};
        assertEquals(1000 + Math.log1p(Math.exp(-1)), Numerics.logSumExp(z, 3), 1e-12);
        final double[] p = new double[3];
        Numerics.softmax(z, p, 3);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-15);
        assertEquals(1 / (1 + Math.exp(-1)), p[0], 1e-15);
    }

    @Test
    void anOverflowingStepIsRefusedAndLeavesTheModelUnchanged() {
        final ModelState model = ModelState.fresh(ModelSettings.binary(10, LearningRateSchedule.CONSTANT));
        final ModelRows weights = new ModelRows();
        final SparseVector huge = SparseVector.of(new int[] {1}, new double[] {1e30});
        // learning rate 10 on a feature of 1e30: the first step is finite (w = -5e30)...
        OnlineLogisticRegression.learn(model, huge, "0", 1.0, weights);
        assertTrue(Double.isFinite(weights.read(1).slots()[0]));
        // ...the next logit is -5e60, still finite; a feature of 1e300 would overflow it
        final ModelState snapshot = copy(model);
        final WeightRow rowBefore = weights.read(1);
        final SparseVector overflow = SparseVector.of(new int[] {1}, new double[] {1e300});
        final RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> OnlineLogisticRegression.learn(model, overflow, "1", 1.0, weights));
        assertEquals(RejectReason.NUMERIC_OVERFLOW, e.reason());
        assertEquals(snapshot, model);
        assertEquals(rowBefore, weights.read(1));
    }

    @Test
    void aBiasOnlyExampleLearnsTheBase_rate() {
        final ModelState model = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT));
        final ModelRows weights = new ModelRows();
        for (int i = 0; i < 2000; i++) {
            OnlineLogisticRegression.learn(model, SparseVector.empty(), i % 4 == 0 ? "1" : "0", 1.0, weights);
        }
        final double p = OnlineLogisticRegression.predict(model, SparseVector.empty(), weights).probabilities()[1];
        assertEquals(0.25, p, 0.05);
        assertEquals(0, weights.size(), "no feature row is ever written");
    }

    @Test
    void unknownLabelsAreRejectedNeverMappedToAClass() {
        final ModelState binary = ModelState.fresh(ModelSettings.binary(0.1, LearningRateSchedule.CONSTANT));
        final RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> OnlineLogisticRegression.learn(binary, SparseVector.empty(), "2", 1.0, new ModelRows()));
        assertEquals(RejectReason.UNKNOWN_LABEL, e.reason());
        assertEquals(0, binary.version());

        final ModelState closed = ModelState.fresh(ModelSettings.softmax(0.1, LearningRateSchedule.CONSTANT)
                .withClasses(List.of("a", "b"), false));
        assertEquals(RejectReason.UNKNOWN_LABEL, assertThrows(RejectedInputException.class,
                () -> OnlineLogisticRegression.learn(closed, SparseVector.empty(), "c", 1.0, new ModelRows())).reason());
    }

    @Test
    void aSoftmaxModelGrowsAClassSeenOnceWithoutDisturbingTheOthers() {
        final ModelState model = ModelState.fresh(ModelSettings.softmax(0.5, LearningRateSchedule.CONSTANT));
        final ModelRows weights = new ModelRows();
        final SparseVector x = SparseVector.of(new int[] {4}, new double[] {1.0});
        OnlineLogisticRegression.learn(model, x, "a", 1.0, weights);
        OnlineLogisticRegression.learn(model, x, "b", 1.0, weights);
        final StepResult first = OnlineLogisticRegression.learn(model, x, "c", 1.0, weights);
        assertEquals(List.of("a", "b", "c"), model.classes());
        assertEquals(3, first.progressive().probabilities().length, "the new class is scored at zero weights");
        final ModelOutput out = OnlineLogisticRegression.predict(model, x, weights);
        assertEquals(1.0, out.probabilities()[0] + out.probabilities()[1] + out.probabilities()[2], 1e-12);
        assertEquals("c", out.predictedLabel());
    }

    @Test
    void nonFiniteAndExcessiveFeaturesAreRejectedByTheHasher() {
        final FeatureHasher hasher = new FeatureHasher(18);
        final Map<String, Double> numeric = new HashMap<>();
        numeric.put("a", Double.NaN);
        assertEquals(RejectReason.NON_FINITE_VALUE, assertThrows(RejectedInputException.class,
                () -> hasher.vectorize(new Features(numeric, Map.of()), 10)).reason());
        numeric.put("a", Double.NEGATIVE_INFINITY);
        assertEquals(RejectReason.NON_FINITE_VALUE, assertThrows(RejectedInputException.class,
                () -> hasher.vectorize(new Features(numeric, Map.of()), 10)).reason());
        assertEquals(RejectReason.TOO_MANY_FEATURES, assertThrows(RejectedInputException.class,
                () -> hasher.vectorize(new Features(Map.of("a", 1.0, "b", 2.0), Map.of("c", "x")), 2)).reason());
    }

    @Test
    void hashingIsMurmur3WithSeedZeroMaskedToTheBits() {
        // reference values of MurmurHash3_x86_32 with seed 0 (Appleby's SMHasher):
        // "" -> 0, "hello" -> 0x248bfa47
        assertEquals(0, new FeatureHasher(30).index(""));
        assertEquals(0x248bfa47 & ((1 << 18) - 1), new FeatureHasher(18).index("hello"));
        final FeatureHasher hasher = new FeatureHasher(4);
        for (int i = 0; i < 1000; i++) {
            final int index = hasher.index("feature" + i);
            assertTrue(index >= 0 && index < 16, "index in range: " + index);
        }
        final SparseVector v = new FeatureHasher(18).vectorize(
                new Features(Map.of("age", 31.0), Map.of("country", "FR")), 10);
        assertEquals(31.0, v.get(new FeatureHasher(18).index("age")), 0);
        assertEquals(1.0, v.get(new FeatureHasher(18).index("country=FR")), 0);
        assertNotEquals(new FeatureHasher(18).index("country=FR"), new FeatureHasher(18).index("country=DE"));
    }

    @Test
    void collidingNamesShareOneCoordinate() {
        final SparseVector v = SparseVector.of(new int[] {5, 2, 5}, new double[] {1.0, 3.0, 0.5});
        assertEquals(2, v.size());
        assertEquals(2, v.indexAt(0));
        assertEquals(1.5, v.get(5), 0);
        assertThrows(IllegalArgumentException.class, () -> SparseVector.of(new int[] {1}, new double[0]));
    }

    private static ModelState copy(final ModelState m) {
        return new ModelState(m.settings(), m.classes(), m.version(), m.clock(), m.biasState(), m.metrics(), m.classCounts());
    }
}
