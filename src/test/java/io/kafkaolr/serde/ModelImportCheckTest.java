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
}
