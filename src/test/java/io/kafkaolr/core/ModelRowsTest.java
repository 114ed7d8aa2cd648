package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ModelRows} against a hash map of rows: what is written is read back exactly, whatever
 * its shape, through inserts, removals (the backward shift of the open-addressing table), class
 * growth (the re-layout of the state columns) and dirty tracking.
 */
class ModelRowsTest {

    private static WeightRow randomRow(final Random random) {
        final int logits = 1 + random.nextInt(4);
        final double[] slots = new double[logits * 2];
        for (int k = 0; k < slots.length; k++) {
            slots[k] = random.nextGaussian();
        }
        final double[] pending = random.nextBoolean() ? WeightRow.NONE : new double[] {random.nextGaussian()};
        final boolean standardized = random.nextBoolean();
        return new WeightRow(random.nextInt(1000), new double[] {random.nextGaussian(), random.nextGaussian()},
                random.nextInt(3), random.nextInt(3) * 1.5, standardized ? random.nextGaussian() : Double.NaN,
                standardized ? random.nextDouble() : Double.NaN, slots, pending);
    }

    @Test
    void readsBackEveryRowAsWrittenThroughInsertsAndRemovals() {
        final Random random = new Random(7);
        final ModelRows rows = new ModelRows();
        final Map<Integer, WeightRow> reference = new HashMap<>();
        final List<Integer> present = new ArrayList<>();
        for (int op = 0; op < 60_000; op++) {
            // a small index range so that probe runs are long and removals shift them
            final int index = random.nextInt(4) == 0 ? FeatureHasher.FIRST_MODEL_ROW + random.nextInt(3)
                    : random.nextInt(20_000);
            if (random.nextInt(3) == 0 && !present.isEmpty()) {
                final int victim = present.remove(random.nextInt(present.size()));
                rows.remove(victim);
                reference.remove(victim);
            } else {
                final WeightRow row = randomRow(random);
                rows.write(index, row);
                if (reference.put(index, row) == null) {
                    present.add(index);
                }
            }
        }
        assertEquals(reference.size(), rows.size());
        for (int index = 0; index < 20_000; index++) {
            assertEquals(reference.get(index), rows.read(index), "row " + index);
            assertEquals(reference.containsKey(index), rows.contains(index));
        }
        for (int index = FeatureHasher.FIRST_MODEL_ROW; index < FeatureHasher.FIRST_MODEL_ROW + 3; index++) {
            assertEquals(reference.get(index), rows.read(index));
        }
        final int[] expected = reference.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        assertTrue(Arrays.equals(expected, rows.indices()));
        assertEquals(reference.keySet().stream().filter(i -> i < FeatureHasher.FIRST_MODEL_ROW).count(),
                rows.featureRows());
    }

    @Test
    void aRowWrittenBeforeAClassWasAddedKeepsItsLength() {
        final ModelRows rows = new ModelRows();
        final WeightRow twoClasses = new WeightRow(3, WeightRow.NONE, 0, 0, new double[] {1, 2, 3, 4});
        final WeightRow threeClasses = new WeightRow(4, WeightRow.NONE, 0, 0, new double[] {5, 6, 7, 8, 9, 10});
        rows.load(1, twoClasses);
        rows.load(2, threeClasses);
        assertEquals(twoClasses, rows.read(1));
        assertEquals(threeClasses, rows.read(2));
        assertEquals(4, rows.read(1).slots().length);
    }

    @Test
    void tracksEachWrittenRowOnceUntilCleared() {
        final ModelRows rows = new ModelRows();
        final Random random = new Random(3);
        rows.load(5, randomRow(random));
        rows.write(9, randomRow(random));
        rows.write(5, randomRow(random));
        rows.write(9, randomRow(random));
        rows.write(LogitLeastSquares.COVARIANCE_ROW, randomRow(random));
        rows.write(12, randomRow(random));
        rows.remove(12);
        assertEquals(List.of(9, 5, LogitLeastSquares.COVARIANCE_ROW), dirty(rows));
        assertEquals(3, rows.dirtyCount());
        rows.clearDirty();
        assertEquals(List.of(), dirty(rows));
        rows.load(9, randomRow(random));
        assertEquals(0, rows.dirtyCount(), "a loaded row is not dirty");
        rows.write(9, randomRow(random));
        assertEquals(List.of(9), dirty(rows));
    }

    @Test
    void aRemovalMovesNoOtherRowsDirtyState() {
        final ModelRows rows = new ModelRows();
        final Random random = new Random(5);
        for (int index = 0; index < 100; index++) {
            rows.load(index, randomRow(random));
        }
        rows.write(99, randomRow(random));
        rows.remove(10);
        rows.remove(99);
        rows.write(50, randomRow(random));
        assertEquals(List.of(50), dirty(rows));
        rows.clearDirty();
        for (int index = 0; index < 100; index++) {
            rows.write(index == 10 || index == 99 ? 0 : index, randomRow(random));
        }
        final Set<Integer> once = new LinkedHashSet<>(dirty(rows));
        assertEquals(dirty(rows).size(), once.size(), "each dirty row once");
        assertEquals(98, once.size());
        assertFalse(rows.contains(10));
        assertNull(rows.read(99));
    }

    private static List<Integer> dirty(final ModelRows rows) {
        final List<Integer> out = new ArrayList<>();
        rows.forEachDirty(out::add);
        return out;
    }
}
