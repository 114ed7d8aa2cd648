package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.core.WeightRow;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The model topic's layout 4: keys of every kind, blocks, chunks, and the index space of exports both ways. */
class ModelTopicFormatTest {
    private static final byte[] PREFIX = ModelStateCodec.modelPrefix("m");

    @Test
    void keysOfEitherLayoutDecodeToTheirKindAndModel() {
        for (final ModelTopicFormat.Kind kind : ModelTopicFormat.Kind.values()) {
            for (final int number : new int[] {0, 64, 1 << 30, Integer.MAX_VALUE}) {
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(ModelTopicFormat.key(PREFIX, kind, number));
                assertEquals(new ModelTopicFormat.Entry("m", kind, number), key);
                assertArrayEquals(ModelTopicFormat.key(PREFIX, kind, number), ((ModelTopicFormat.Entry) key).encode());
            }
        }
        // the earlier layout: the id, a zero byte, the index
        assertEquals(new ModelTopicFormat.Legacy("m", 7), ModelTopicFormat.decodeKey(ModelStateCodec.key("m", 7)));
        assertTrue(ModelTopicFormat.decodeKey(ModelStateCodec.headerKey("m")).isHeader());
        assertTrue(ModelTopicFormat.decodeKey(ModelTopicFormat.headerKey("m")).isHeader());
        assertEquals("m", ModelTopicFormat.headerModelId(ModelTopicFormat.headerKey("m")));
        assertEquals("a model", ModelTopicFormat.headerModelId(ModelStateCodec.headerKey("a model")));
        assertNull(ModelTopicFormat.headerModelId(ModelTopicFormat.key(PREFIX, ModelTopicFormat.Kind.ROWS, 0)));
        // an id of one byte whose layout-3 key looks like no layout-4 kind; not model keys at all
        assertEquals(new ModelTopicFormat.Legacy("x", 0x52000000), ModelTopicFormat.decodeKey(
                ModelStateCodec.key("x", 0x52000000)));
        assertNull(ModelTopicFormat.decodeKey(new byte[] {1, 2, 3}));
        assertNull(ModelTopicFormat.decodeKey(null));
    }

    @Test
    void blocksNamesAndWindowChunksReadBackAsWritten() {
        final byte[][] rows = {ModelStateCodec.encodeRow(row(1.5)), ModelStateCodec.encodeRow(row(-2))};
        final ModelTopicFormat.RowBlock block = ModelTopicFormat.decodeRows(
                ModelTopicFormat.encodeRows(6, 2, new int[] {65, 100}, rows));
        assertEquals(6, block.shift());
        assertArrayEquals(new int[] {65, 100}, block.indices());
        assertArrayEquals(rows[1], block.rows()[1]);

        final byte[][] names = {ModelStateCodec.encodeNames(List.of("a", "b=c"))};
        final ModelTopicFormat.NamesBlock named = ModelTopicFormat.decodeNamesBlock(
                ModelTopicFormat.encodeNamesBlock(new int[] {3}, names, 1));
        assertEquals(List.of("a", "b=c"), ModelStateCodec.decodeNames(named.names()[0]));

        final ModelTopicFormat.WindowChunk chunk = ModelTopicFormat.decodeWindow(ModelTopicFormat.encodeWindow(257,
                new double[] {0.25, 0, 0.75}, new boolean[] {true, false, false}, new boolean[] {true, false, true}, 3));
        assertEquals(257, chunk.firstVersion());
        assertArrayEquals(new boolean[] {true, false, true}, chunk.present());
        assertArrayEquals(new boolean[] {true, false, false}, chunk.positives());
        assertEquals(0.75, chunk.probabilities()[2]);
        assertEquals(1, ModelTopicFormat.windowChunk(257));
        assertEquals(0, ModelTopicFormat.windowChunk(256));
    }

    @Test
    void corruptOrNewerValuesAreRefusedWithTheirReason() {
        final byte[] block = ModelTopicFormat.encodeRows(6, 1, new int[] {1}, new byte[][] {ModelStateCodec.encodeRow(
                row(1))});
        for (int n = 0; n < block.length; n++) {
            final byte[] cut = Arrays.copyOf(block, n);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelTopicFormat.decodeRows(cut), n + " bytes");
            assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("does not fit"), e.getMessage());
        }
        final byte[] newer = block.clone();
        newer[0] = 2;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelTopicFormat.decodeRows(newer)).getMessage()
                .contains("format version 2"));
        // a count of two billion rows in a few bytes allocates nothing
        final byte[] huge = {1, 6, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> ModelTopicFormat.decodeRows(huge));
        final byte[] window = ModelTopicFormat.encodeWindow(1, new double[] {0.5}, new boolean[] {true},
                new boolean[] {true}, 1);
        window[window.length - 1] = 7;
        assertThrows(IllegalArgumentException.class, () -> ModelTopicFormat.decodeWindow(window));
    }

    @Test
    void aBlockSpansFewerIndicesWhenRowsAreWideAndAtMostFourThousandBlocksAModel() {
        assertEquals(6, ModelTopicFormat.blockShift(18, 80));
        assertEquals(0, ModelTopicFormat.blockShift(10, 80));
        // wide rows (a softmax of a thousand classes): a full block stays near 256 KiB
        final int wide = 16_000;
        final int shift = ModelTopicFormat.blockShift(24, wide);
        assertTrue((1L << shift) * wide <= 256 * 1024 && (2L << shift) * wide > 256 * 1024, "shift " + shift);
        assertEquals(0, ModelTopicFormat.blockShift(18, 1 << 20));
    }

    @Test
    void aModelGivenByIndexIsStoredInBlocksAndReadBackTheSame() {
        final ModelSettings settings = ModelSettings.binary(0.5, LearningRateSchedule.CONSTANT).withHashBits(12);
        final ModelState model = ModelState.fresh(settings);
        final Map<Integer, WeightRow> rows = new HashMap<>();
        final io.kafkaolr.core.WeightAccess weights = new io.kafkaolr.core.WeightAccess() {
            @Override
            public WeightRow read(final int index) {
                return rows.get(index);
            }

            @Override
            public void write(final int index, final WeightRow row) {
                rows.put(index, row);
            }
        };
        for (int i = 0; i < 40; i++) {
            OnlineLogisticRegression.learn(model, SparseVector.of(new int[] {i % 7, 100 + i, 4000},
                    new double[] {1, 0.5, -1}), i % 3 == 0 ? "1" : "0", 1.0, weights);
        }
        final SortedMap<Integer, byte[]> indexed = new TreeMap<>();
        rows.forEach((index, row) -> indexed.put(index, ModelStateCodec.encodeRow(row)));
        indexed.put(ModelStateCodec.namesIndex(3), ModelStateCodec.encodeNames(List.of("three")));
        // a window of 10 with a gap: updates 31..40 but 35
        for (long v = 31; v <= 40; v++) {
            if (v != 35) {
                indexed.put(ModelStateCodec.windowIndex(v, 10), ModelStateCodec.encodeWindowEntry(v / 100.0, v % 2 == 0));
            }
        }
        indexed.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(model));

        final List<Map.Entry<byte[], byte[]>> stored = ModelTopicFormat.entries("m", indexed, 12, 10);
        assertTrue(ModelTopicFormat.decodeKey(stored.get(stored.size() - 1).getKey()).isHeader(), "the header last");
        final Map<ModelTopicFormat.Key, byte[]> byKey = new HashMap<>();
        stored.forEach(e -> byKey.put(ModelTopicFormat.decodeKey(e.getKey()), e.getValue()));
        assertEquals(stored.size(), byKey.size(), "each key once");
        // 2^12 indices: blocks of one index; rows 0..6, 100..139, 4000
        assertEquals(7 + 40 + 1, byKey.keySet().stream().filter(k -> ((ModelTopicFormat.Entry) k).kind()
                == ModelTopicFormat.Kind.ROWS).count());
        final SortedMap<Integer, byte[]> back = ModelTopicFormat.indexed(byKey, 10);
        assertEquals(indexed.keySet(), back.keySet());
        indexed.forEach((index, value) -> assertArrayEquals(value, back.get(index), "entry " + index));
        // under a smaller window, the latest entries of it
        final SortedMap<Integer, byte[]> three = ModelTopicFormat.indexed(byKey, 3);
        assertEquals(3, three.keySet().stream().filter(i -> i < -1 && !ModelStateCodec.isNames(i)).count());
        assertArrayEquals(ModelStateCodec.encodeWindowEntry(0.4, true), three.get(ModelStateCodec.windowIndex(40, 3)));
        assertFalse(back.containsKey(ModelStateCodec.namesIndex(FeatureHasher.FIRST_MODEL_ROW)));
    }

    private static WeightRow row(final double weight) {
        return new WeightRow(3, new double[] {0.0, 0.0}, 0, 0, new double[] {weight});
    }
}
