package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A sparse vector from entries in any order: indices increasing, repeated ones summed in the order given. */
class SparseVectorTest {

    /** The construction spelled out: a stable sort by index, then sums in the order given. */
    private static double[][] reference(final int[] indices, final double[] values) {
        final Integer[] positions = new Integer[indices.length];
        Arrays.setAll(positions, i -> i);
        Arrays.sort(positions, (a, b) -> Integer.compare(indices[a], indices[b])); // stable
        final double[] outIndices = new double[indices.length];
        final double[] outValues = new double[indices.length];
        int size = 0;
        for (final int p : positions) {
            if (size > 0 && outIndices[size - 1] == indices[p]) {
                outValues[size - 1] += values[p];
            } else {
                outIndices[size] = indices[p];
                outValues[size++] = values[p];
            }
        }
        return new double[][] {Arrays.copyOf(outIndices, size), Arrays.copyOf(outValues, size)};
    }

    @Test
    void anyOrderAnySizeAnySpreadGivesTheReferenceVectorToTheBit() {
        final Random random = new Random(3);
        for (int trial = 0; trial < 20_000; trial++) {
            final int n = random.nextInt(trial % 10 == 0 ? 600 : 70);
            // hashed (spread over 2^18 or 2^30), clustered, or few distinct values (many repeats)
            final int spread = switch (trial % 4) {
                case 0 -> 1 << 18;
                case 1 -> 1 << 30;
                case 2 -> 50;
                default -> 3;
            };
            final int base = trial % 4 == 2 ? random.nextInt(1 << 20) : 0;
            final int[] indices = new int[n];
            final double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                indices[i] = base + random.nextInt(spread);
                values[i] = random.nextGaussian() * Math.pow(10, random.nextInt(30) - 15);
            }
            final SparseVector x = SparseVector.of(indices.clone(), values.clone());
            final double[][] expected = reference(indices, values);
            assertEquals(expected[0].length, x.size(), "trial " + trial);
            for (int k = 0; k < x.size(); k++) {
                assertEquals((int) expected[0][k], x.indexAt(k), "trial " + trial);
                assertEquals(Double.doubleToRawLongBits(expected[1][k]), Double.doubleToRawLongBits(x.valueAt(k)),
                        "trial " + trial + ", entry " + k);
            }
        }
    }

    @Test
    void theFirstEntriesOfLongerBuffersAndTheirChecks() {
        final SparseVector x = SparseVector.of(new int[] {9, 2, 9, 7, 0}, new double[] {1, 2, 3, 4, 5}, 3);
        assertArrayEquals(new int[] {2, 9}, new int[] {x.indexAt(0), x.indexAt(1)});
        assertEquals(4.0, x.get(9));
        assertEquals(SparseVector.empty(), SparseVector.of(new int[4], new double[4], 0));
        assertThrows(IllegalArgumentException.class, () -> SparseVector.of(new int[2], new double[3], 3));
        assertThrows(IllegalArgumentException.class, () -> SparseVector.of(new int[] {1, -1}, new double[2], 2));
    }
}
