package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.LogitLeastSquares;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.ProgressiveMetrics;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.testing.HostileHeaders;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The one check behind every import ({@link ModelSnapshot#checkImport}): counts are checked
 * against the bytes present before anything is allocated, every number is finite and in range,
 * limits are named, and the readable part of an exported file must agree with its state.
 */
class ModelImportCheckTest {
    private static final int BITS = 10;
    private final ModelSettings settings = ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT).withHashBits(BITS);

    /** A small trained model, as the processor stores it. */
    private Map<Integer, byte[]> trained() {
        return trained(settings);
    }

    private static Map<Integer, byte[]> trained(final ModelSettings settings) {
        final FeatureHasher hasher = new FeatureHasher(BITS);
        final ModelRows weights = new ModelRows();
        final ModelState model = ModelState.fresh(settings);
        final SortedMap<Integer, List<String>> names = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            // a few dozen rows: some kilobytes in all
            final Features f = new Features(Map.of("a", (double) (i % 3), "b", 1.0), Map.of("c", "v" + i));
            OnlineLogisticRegression.learn(model, hasher.vectorize(f, 100), i % 2 == 0 ? "1" : "0", 1.0, weights);
        }
        names.put(hasher.index("a"), List.of("a"));
        names.put(hasher.index("b"), List.of("b"));
        final Map<Integer, byte[]> stored = new HashMap<>();
        ModelSnapshot.of(model, java.util.Arrays.stream(weights.indices()).boxed().toList(), weights, names).storeEntries()
                .forEach(e -> stored.put(e.getKey(), e.getValue()));
        return stored;
    }

    private static RejectedInputException refused(final Map<Integer, byte[]> stored) {
        return assertThrows(RejectedInputException.class,
                () -> ModelSnapshot.fromStored(stored).checkImport(Limits.DEFAULT, BITS));
    }

    private static ModelState header(final Map<Integer, byte[]> stored) {
        return ModelStateCodec.decodeHeader(stored.get(ModelStateCodec.HEADER_INDEX));
    }

    @Test
    void aModelAsStoredPasses() {
        final ModelSnapshot snapshot = ModelSnapshot.fromStored(trained());
        assertSame(snapshot, snapshot.checkImport(Limits.DEFAULT, BITS));
    }

    @Test
    void aHeaderClaimingTwoBillionClassesIsRefusedWithoutAllocatingThem() {
        final Map<Integer, byte[]> stored = trained();
        final byte[] header = stored.get(ModelStateCodec.HEADER_INDEX);
        stored.put(ModelStateCodec.HEADER_INDEX, HostileHeaders.withClassCount(header, List.of("0", "1"),
                Integer.MAX_VALUE));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSnapshot.fromStored(stored));
        assertTrue(e.getMessage().contains("a count of 2147483647 items does not fit"), e.getMessage());
        stored.put(ModelStateCodec.HEADER_INDEX, HostileHeaders.withClassCount(header, List.of("0", "1"), -7));
        assertThrows(IllegalArgumentException.class, () -> ModelSnapshot.fromStored(stored));
    }

    @Test
    void aRowWhoseCountsExceedItsBytesIsCorruptNotAnAllocation() {
        final Map<Integer, byte[]> stored = trained();
        final int row = stored.keySet().stream().filter(ModelStateCodec::isRow).findFirst().orElseThrow();
        final byte[] value = stored.get(row);
        final byte[] huge = ByteBuffer.allocate(14).put((byte) 3).putLong(1).put((byte) 0).putInt(Integer.MAX_VALUE)
                .array();
        stored.put(row, huge);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSnapshot.fromStored(stored));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        stored.put(row, Arrays.copyOf(value, value.length - 3));
        assertThrows(IllegalArgumentException.class, () -> ModelSnapshot.fromStored(stored));
    }

    @Test
    void aNegativeVersionOrCountIsRefused() {
        final Map<Integer, byte[]> stored = trained();
        final ModelState m = header(stored);
        stored.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(new ModelState(m.settings(),
                m.classes(), -5, m.clock(), m.biasState(), m.metrics(), m.classCounts())));
        final RejectedInputException e = refused(stored);
        assertEquals(RejectReason.INVALID_COMMAND, e.reason());
        assertTrue(e.getMessage().contains("version is -5"), e.getMessage());

        stored.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(new ModelState(m.settings(),
                m.classes(), m.version(), m.clock(), m.biasState(), m.metrics(), new long[] {3, -1})));
        assertTrue(refused(stored).getMessage().contains("class count is negative"));
    }

    @Test
    void nonFiniteWeightsBiasOrMetricsAreRefused() {
        final Map<Integer, byte[]> stored = trained();
        final int index = stored.keySet().stream().filter(ModelStateCodec::isRow).findFirst().orElseThrow();
        final WeightRow row = ModelStateCodec.decodeRow(stored.get(index));
        final double[] slots = row.slots().clone();
        slots[0] = Double.NaN;
        stored.put(index, ModelStateCodec.encodeRow(new WeightRow(row.step(), row.clock(), row.seen(),
                row.sumSquares(), row.mean(), row.squaredDeviations(), slots, row.pending())));
        RejectedInputException e = refused(stored);
        assertEquals(RejectReason.INVALID_COMMAND, e.reason());
        assertTrue(e.getMessage().contains("row " + index + "'s optimizer state holds NaN"), e.getMessage());

        final Map<Integer, byte[]> biased = trained();
        final ModelState m = header(biased);
        final double[] bias = m.biasState();
        bias[0] = Double.POSITIVE_INFINITY;
        biased.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(new ModelState(m.settings(),
                m.classes(), m.version(), m.clock(), bias, m.metrics(), m.classCounts())));
        e = refused(biased);
        assertTrue(e.getMessage().contains("the bias holds Infinity"), e.getMessage());

        final Map<Integer, byte[]> measured = trained();
        measured.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(new ModelState(m.settings(),
                m.classes(), m.version(), m.clock(), m.biasState(),
                new ProgressiveMetrics(20, 20, Double.NaN, 10), m.classCounts())));
        assertTrue(refused(measured).getMessage().contains("progressive metrics"));
    }

    @Test
    void aNegativeSumOfSquaredGradientsIsRefused() {
        final Map<Integer, byte[]> stored = trained(ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT)
                .withHashBits(BITS).withOptimizer(io.kafkaolr.core.Optimizer.FTRL, 0.5));
        final int index = stored.keySet().stream().filter(ModelStateCodec::isRow).findFirst().orElseThrow();
        final WeightRow row = ModelStateCodec.decodeRow(stored.get(index));
        final double[] slots = row.slots().clone();
        slots[1] = -5.0; // FTRL's n
        stored.put(index, ModelStateCodec.encodeRow(new WeightRow(row.step(), row.clock(), row.seen(),
                row.sumSquares(), row.mean(), row.squaredDeviations(), slots, row.pending())));
        assertTrue(refused(stored).getMessage().contains("sum of squared gradients is -5.0"));
    }

    @Test
    void aRowNewerThanItsModelOrWiderThanItsClassesIsRefused() {
        final Map<Integer, byte[]> stored = trained();
        final int index = stored.keySet().stream().filter(ModelStateCodec::isRow).findFirst().orElseThrow();
        final WeightRow row = ModelStateCodec.decodeRow(stored.get(index));
        stored.put(index, ModelStateCodec.encodeRow(new WeightRow(999, row.clock(), row.seen(), row.sumSquares(),
                row.mean(), row.squaredDeviations(), row.slots(), row.pending())));
        assertTrue(refused(stored).getMessage().contains("written at update 999"));
        stored.put(index, ModelStateCodec.encodeRow(new WeightRow(row.step(), row.clock(), row.seen(),
                row.sumSquares(), row.mean(), row.squaredDeviations(), new double[40], row.pending())));
        assertTrue(refused(stored).getMessage().contains("numbers of state"));
    }

    @Test
    void limitsAreNamedWithTheirSettings() {
        final Map<Integer, byte[]> stored = trained();
        final Limits d = Limits.DEFAULT;
        final Limits oneRow = new Limits(d.recordBytes(), d.features(), d.idBytes(), d.recordHeadersBytes(),
                d.labelBytes(), d.classes(), d.featureNameBytes(), d.namesPerRow(), 1, d.modelsPerTask(),
                d.modelHeaderBytes(), d.importBytes(), d.deadLetterOriginalBytes());
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> ModelSnapshot.fromStored(stored).checkImport(oneRow, BITS));
        assertEquals(RejectReason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains("olr.limits.rows-per-model"), e.getMessage());

        final Limits small = new Limits(d.recordBytes(), d.features(), d.idBytes(), d.recordHeadersBytes(),
                d.labelBytes(), d.classes(), d.featureNameBytes(), d.namesPerRow(), d.rowsPerModel(),
                d.modelsPerTask(), d.modelHeaderBytes(), 1024, d.deadLetterOriginalBytes());
        e = assertThrows(RejectedInputException.class, () -> ModelSnapshot.fromStored(stored).checkImport(small, BITS));
        assertTrue(e.getMessage().contains("olr.limits.import-bytes"), e.getMessage());

        e = assertThrows(RejectedInputException.class,
                () -> ModelSnapshot.fromStored(stored).checkImport(Limits.DEFAULT, BITS + 1));
        assertEquals(RejectReason.MODEL_MISMATCH, e.reason());
    }

    @Test
    void anExportedFileIsImportedAsItIsAndRefusedWhereItsReadablePartWasEdited() {
        final ModelSnapshot snapshot = ModelSnapshot.fromStored(trained());
        final ObjectNode exported = snapshot.toJson();
        // as exported, and with the readable weights left out
        ModelSnapshot.fromJson(exported).checkImport(Limits.DEFAULT, BITS);
        final ObjectNode withoutWeights = exported.deepCopy();
        withoutWeights.remove("weights");
        ModelSnapshot.fromJson(withoutWeights).checkImport(Limits.DEFAULT, BITS);

        final ObjectNode edited = exported.deepCopy();
        ((ObjectNode) edited.get("weights")).put("a", 42.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSnapshot.fromJson(edited));
        assertTrue(e.getMessage().contains("the weight of 'a' is 42.0 but the state gives"), e.getMessage());
        assertTrue(e.getMessage().contains("the \"state\" is what an import restores"), e.getMessage());

        final ObjectNode rebiased = exported.deepCopy();
        rebiased.put("bias", 3.0);
        e = assertThrows(IllegalArgumentException.class, () -> ModelSnapshot.fromJson(rebiased));
        assertTrue(e.getMessage().contains("\"bias\" is 3.0"), e.getMessage());
    }
    private static ModelSettings leastSquares() {
        return ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT).withHashBits(BITS)
                .withPenalties(0, 1.0).withOptimizer(io.kafkaolr.core.Optimizer.RLS, 1).withLeastSquares(0.1, 100);
    }

    private static void putSlots(final Map<Integer, byte[]> stored, final int index, final double[] slots) {
        final WeightRow row = ModelStateCodec.decodeRow(stored.get(index));
        stored.put(index, ModelStateCodec.encodeRow(new WeightRow(row.step(), row.clock(), row.seen(),
                row.sumSquares(), row.mean(), row.squaredDeviations(), slots, row.pending())));
    }

    @Test
    void aLeastSquaresModelWhoseCovarianceRowListsAnotherIndexIsRefused() {
        final Map<Integer, byte[]> stored = trained(leastSquares());
        ModelSnapshot.fromStored(stored).checkImport(Limits.DEFAULT, BITS);
        final int covariance = LogitLeastSquares.COVARIANCE_ROW;
        final double[] list = ModelStateCodec.decodeRow(stored.get(covariance)).slots();
        final int d = (int) list[0];
        assertTrue(d > 4, d + " features");

        // a listed index that is no feature's: the learner would write a row at Integer.MIN_VALUE
        final Map<Integer, byte[]> edited = new HashMap<>(stored);
        final double[] huge = list.clone();
        huge[4] = -1.0E308;
        putSlots(edited, covariance, huge);
        RejectedInputException e = refused(edited);
        assertEquals(RejectReason.INVALID_COMMAND, e.reason());
        assertTrue(e.getMessage().contains("lists -1.0E308 at position 4"), e.getMessage());

        // two features listed in each other's place
        final double[] swapped = list.clone();
        swapped[1] = list[2];
        swapped[2] = list[1];
        putSlots(edited, covariance, swapped);
        assertTrue(refused(edited).getMessage().contains("at position 1, which is not the index of the feature row"));

        // a feature row that is not listed (the list one shorter, as its own check requires)
        final double[] shorter = new double[list.length - 2];
        shorter[0] = d - 1;
        System.arraycopy(list, 1, shorter, 1, d - 1);
        System.arraycopy(list, 1 + d, shorter, d, d);
        putSlots(edited, covariance, shorter);
        assertTrue(refused(edited).getMessage().contains("lists " + (d - 1) + " features, the model has " + d),
                refused(edited).getMessage());

        // no list at all
        final Map<Integer, byte[]> unlisted = new HashMap<>(stored);
        unlisted.remove(covariance);
        assertTrue(refused(unlisted).getMessage().contains("no row " + covariance + " listing them"));
    }

    @Test
    void aLeastSquaresRowOfAnotherWidthThanItsModelsFeaturesIsRefused() {
        final Map<Integer, byte[]> stored = trained(leastSquares());
        final int index = (int) ModelStateCodec.decodeRow(stored.get(LogitLeastSquares.COVARIANCE_ROW)).slots()[1];
        final double[] slots = ModelStateCodec.decodeRow(stored.get(index)).slots();
        putSlots(stored, index, Arrays.copyOf(slots, slots.length - 1));
        final RejectedInputException e = refused(stored);
        assertTrue(e.getMessage().contains("least-squares row " + index + " has " + (slots.length - 1) + " numbers"),
                e.getMessage());
    }
}
