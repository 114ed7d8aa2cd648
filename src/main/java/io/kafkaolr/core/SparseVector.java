package io.kafkaolr.core;

import java.util.Arrays;

/**
 * An immutable sparse vector: strictly increasing indices and their values.
 *
 * <p>Built by {@link #of(int[], double[])}, which sorts the entries and sums the values of
 * repeated indices (two feature names that hash to the same index share one coordinate, the
 * usual convention of the hashing trick).
 */
public final class SparseVector {
    private static final SparseVector EMPTY = new SparseVector(new int[0], new double[0]);

    private final int[] indices;
    private final double[] values;

    private SparseVector(final int[] indices, final double[] values) {
        this.indices = indices;
        this.values = values;
    }

    /** The vector with no entries. */
    public static SparseVector empty() {
        return EMPTY;
    }

    /**
     * Builds a vector from parallel arrays, in any order, with repeated indices allowed (their
     * values are summed in the order given). The arrays are not kept.
     *
     * @throws IllegalArgumentException if the lengths differ or an index is negative
     */
    public static SparseVector of(final int[] indices, final double[] values) {
        if (indices.length != values.length) {
            throw new IllegalArgumentException(
                    "indices and values differ in length: " + indices.length + " != " + values.length);
        }
        return of(indices, values, indices.length);
    }

    /**
     * Like {@link #of(int[], double[])}, from the first {@code n} entries of each array: for
     * callers that reuse longer buffers from one record to the next.
     *
     * @throws IllegalArgumentException if an array is shorter than {@code n} or an index is negative
     */
    public static SparseVector of(final int[] indices, final double[] values, final int n) {
        if (n < 0 || indices.length < n || values.length < n) {
            throw new IllegalArgumentException("fewer than " + n + " entries: " + indices.length + ", " + values.length);
        }
        if (n == 0) {
            return EMPTY;
        }
        final long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            if (indices[i] < 0) {
                throw new IllegalArgumentException("negative index " + indices[i] + " at position " + i);
            }
            // index in the high half, position in the low half: a stable sort by index
            order[i] = ((long) indices[i] << 32) | i;
        }
        Arrays.sort(order);
        final int[] outIndices = new int[n];
        final double[] outValues = new double[n];
        int size = 0;
        for (int k = 0; k < n; k++) {
            final int index = (int) (order[k] >>> 32);
            final double value = values[(int) order[k]];
            if (size > 0 && outIndices[size - 1] == index) {
                outValues[size - 1] += value;
            } else {
                outIndices[size] = index;
                outValues[size] = value;
                size++;
            }
        }
        return size == n
                ? new SparseVector(outIndices, outValues)
                : new SparseVector(Arrays.copyOf(outIndices, size), Arrays.copyOf(outValues, size));
    }

    /** Number of stored (non-repeated) entries. */
    public int size() {
        return indices.length;
    }

    /** The index of the {@code k}-th entry, in increasing order. */
    public int indexAt(final int k) {
        return indices[k];
    }

    /** The value of the {@code k}-th entry. */
    public double valueAt(final int k) {
        return values[k];
    }

    /** The value at {@code index}, 0 when absent. */
    public double get(final int index) {
        final int k = Arrays.binarySearch(indices, index);
        return k >= 0 ? values[k] : 0.0;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof SparseVector other
                && Arrays.equals(indices, other.indices)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("{");
        for (int k = 0; k < indices.length; k++) {
            if (k > 0) {
                sb.append(", ");
            }
            sb.append(indices[k]).append(':').append(values[k]);
        }
        return sb.append('}').toString();
    }
}
