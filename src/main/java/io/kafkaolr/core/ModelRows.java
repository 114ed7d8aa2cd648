package io.kafkaolr.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Every row of one model held in memory, by index (feature rows below
 * {@link FeatureHasher#FIRST_MODEL_ROW}, model-wide rows from it), with the set of rows changed
 * since {@link #clearDirty()}: what a training task writes to its store once per commit.
 *
 * <p>{@link #write} marks a row dirty; {@link #load} (a row read back from the store) does not.
 *
 * <p>Feature rows live in primitive arrays, one per field of {@link WeightRow}, indexed by a
 * dense slot number; an open-addressing table (linear probing, backward-shift deletion) maps a
 * feature index to its slot. Nothing is boxed, memory grows with the rows present rather than
 * with {@code 2^bits}, and the learner reads and writes a row's numbers in place
 * ({@link Learner}). Columns a model does not use (normalisation statistics, pending
 * gradients) are not allocated until a row needs them. The optimizer's state of every row has
 * the same stride, the widest row's: a softmax model that adds a class widens it, once. Each row
 * keeps its own length, so that {@link #read} gives back the row exactly as it was written.
 * Model-wide rows (least squares' covariance) are few and kept as {@link WeightRow} objects.
 */
public final class ModelRows implements WeightAccess {
    private static final int NO_SLOT = -1;
    private static final int INITIAL_CAPACITY = 16;

    /** The open-addressing table: slot + 1 of the row hashed there, 0 when empty. */
    private int[] table = new int[2 * INITIAL_CAPACITY];
    /** {@code 32 - log2(table.length)}: the shift that keeps a hash's top bits. */
    private int shift = Integer.numberOfLeadingZeros(2 * INITIAL_CAPACITY) + 1;
    private int size;
    private int capacity;

    // the columns, per slot
    private int[] indexOf;
    long[] step;
    double[] clock;
    int clockWidth;
    /** Null while every row's count and sum of squares are 0. */
    double[] seen;
    double[] sumSquares;
    /** Null while no row is standardised (every mean and sum of squared deviations NaN). */
    double[] mean;
    double[] squaredDeviations;
    double[] slots;
    int slotWidth;
    /** Null while every row's state is {@link #slotWidth} long (the common case: one width per model). */
    private int[] slotLength;
    /** Null while no row has a pending mini-batch gradient. */
    double[] pending;
    int pendingWidth;
    private int[] pendingLength;

    private long[] dirtyBits;
    private int[] dirtyList = new int[INITIAL_CAPACITY];
    private int dirtyCount;

    private final Map<Integer, WeightRow> modelWide = new HashMap<>();
    private final Map<Integer, Boolean> modelWideDirty = new HashMap<>();

    /** An empty model. */
    public ModelRows() {
        allocate(INITIAL_CAPACITY);
    }

    // ---- the WeightRow interface: restoring, exporting, least squares ----

    /** A copy of the row of {@code index}, or null when it has none. */
    @Override
    public WeightRow read(final int index) {
        if (index >= FeatureHasher.FIRST_MODEL_ROW) {
            return modelWide.get(index);
        }
        final int slot = slotOf(index);
        if (slot == NO_SLOT) {
            return null;
        }
        final double[] rowClock = clockWidth == 0 ? WeightRow.NONE
                : Arrays.copyOfRange(clock, slot * clockWidth, (slot + 1) * clockWidth);
        final double[] rowSlots = slotLength(slot) == 0 ? WeightRow.NONE
                : Arrays.copyOfRange(slots, slot * slotWidth, slot * slotWidth + slotLength(slot));
        final double[] rowPending = pendingLength(slot) == 0 ? WeightRow.NONE
                : Arrays.copyOfRange(pending, slot * pendingWidth, slot * pendingWidth + pendingLength[slot]);
        return new WeightRow(step[slot], rowClock, seen(slot), sumSquares(slot), mean(slot), squaredDeviations(slot),
                rowSlots, rowPending);
    }

    /** Replaces the row of {@code index} and marks it dirty. */
    @Override
    public void write(final int index, final WeightRow row) {
        put(index, row);
        markDirty(index);
    }

    /** Puts a row as stored (restoring from the store or the model topic): not dirty. */
    public void load(final int index, final WeightRow row) {
        put(index, row);
    }

    /** Removes a row (a tombstone on the model topic): not dirty. */
    public void remove(final int index) {
        if (index >= FeatureHasher.FIRST_MODEL_ROW) {
            if (modelWide.remove(index) != null && modelWideDirty.remove(index) != null) {
                forgetDirty(index);
            }
            return;
        }
        int hole = bucketOf(index);
        if (hole == NO_SLOT) {
            return;
        }
        final int slot = table[hole] - 1;
        if (isDirty(slot)) {
            forgetDirty(index);
        }
        // backward-shift deletion: move later entries of the probe run into the hole, so that
        // every entry stays reachable from its home bucket without tombstones
        final int mask = table.length - 1;
        int next = (hole + 1) & mask;
        while (table[next] != 0) {
            final int home = home(indexOf[table[next] - 1]);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                table[hole] = table[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        table[hole] = 0;
        moveLastInto(slot);
    }

    /** Whether {@code index} has a row. */
    public boolean contains(final int index) {
        return index >= FeatureHasher.FIRST_MODEL_ROW ? modelWide.containsKey(index) : slotOf(index) != NO_SLOT;
    }

    /** Number of rows, model-wide ones included. */
    public int size() {
        return size + modelWide.size();
    }

    /** Number of feature rows (below {@link FeatureHasher#FIRST_MODEL_ROW}). */
    public int featureRows() {
        return size;
    }

    /** Calls {@code action} with the index of every row, in no particular order. */
    public void forEachIndex(final IntConsumer action) {
        for (int slot = 0; slot < size; slot++) {
            action.accept(indexOf[slot]);
        }
        modelWide.keySet().forEach(action::accept);
    }

    /** Number of rows written since the last {@link #clearDirty()}. */
    public int dirtyCount() {
        return dirtyCount;
    }

    /** Calls {@code action} once with the index of each row written since the last {@link #clearDirty()}, in the order first written. */
    public void forEachDirty(final IntConsumer action) {
        for (int i = 0; i < dirtyCount; i++) {
            action.accept(dirtyList[i]);
        }
    }

    /** Forgets which rows were written: they have reached the store. */
    public void clearDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            final int index = dirtyList[i];
            if (index < FeatureHasher.FIRST_MODEL_ROW) {
                final int slot = slotOf(index);
                dirtyBits[slot >>> 6] &= ~(1L << slot);
            }
        }
        modelWideDirty.clear();
        // a first commit of a large model lists every row: give that memory back
        if (dirtyList.length > 4096 && dirtyList.length > 4 * dirtyCount) {
            dirtyList = new int[Math.max(4096, 2 * dirtyCount)];
        }
        dirtyCount = 0;
    }

    /** The indices of every row, ascending. */
    public int[] indices() {
        final int[] out = new int[size()];
        int n = 0;
        for (int slot = 0; slot < size; slot++) {
            out[n++] = indexOf[slot];
        }
        for (final int index : modelWide.keySet()) {
            out[n++] = index;
        }
        Arrays.sort(out);
        return out;
    }

    /** The weight of logit {@code k} at {@code index} as {@code model} serves it now, in the feature's units. */
    public double current(final ModelState model, final int index, final int k) {
        return OnlineLogisticRegression.weight(model, read(index), k);
    }

    // ---- in place, for the learner: a row is a slot, its fields are the columns ----

    /** The slot of {@code index}'s feature row, or -1 when it has none. */
    int slotOf(final int index) {
        final int bucket = bucketOf(index);
        return bucket == NO_SLOT ? NO_SLOT : table[bucket] - 1;
    }

    /** A new, zero feature row for {@code index} (which has none): its slot. */
    int add(final int index) {
        if (size == capacity) {
            // a small growth factor: the columns are most of a model's memory, and a copy is rare
            allocate(capacity + (capacity >>> 3) + INITIAL_CAPACITY);
        }
        if (2L * (size + 1) > (long) table.length * 3 / 2) {
            rehash(table.length * 2);
        }
        final int slot = size++;
        indexOf[slot] = index;
        final int mask = table.length - 1;
        int bucket = home(index);
        while (table[bucket] != 0) {
            bucket = (bucket + 1) & mask;
        }
        table[bucket] = slot + 1;
        clear(slot);
        return slot;
    }

    /** Widens the columns, when needed, to rows of these lengths. */
    void reserve(final int clockLength, final int slotsLength, final int pendingLength) {
        if (clockLength > clockWidth) {
            clock = widened(clock, clockWidth, clockLength);
            clockWidth = clockLength;
        }
        if (slotsLength > slotWidth) {
            // rare: a class added to a softmax model, or a least-squares model's new feature
            final int width = Math.max(slotsLength, slotWidth + (slotWidth >>> 3));
            if (slotLength == null && size > 0) {
                recordLengths(slotWidth);
            }
            slots = widened(slots, slotWidth, width);
            slotWidth = width;
        }
        if (pendingLength > 0 && pending == null) {
            pending = new double[capacity * pendingLength];
            this.pendingLength = new int[capacity];
            pendingWidth = pendingLength;
        } else if (pendingLength > pendingWidth) {
            pending = widened(pending, pendingWidth, pendingLength);
            pendingWidth = pendingLength;
        }
    }

    /** Allocates the count and sum-of-squares columns (and, when {@code standardized}, the mean's). */
    void reserveStatistics(final boolean standardized) {
        if (seen == null) {
            seen = new double[capacity];
            sumSquares = new double[capacity];
        }
        if (standardized && mean == null) {
            mean = new double[capacity];
            squaredDeviations = new double[capacity];
            Arrays.fill(mean, Double.NaN);
            Arrays.fill(squaredDeviations, Double.NaN);
        }
    }

    /** Sets the lengths of a row's optimizer state and pending gradient (0: none). */
    void setLengths(final int slot, final int slotsLength, final int pendingCount) {
        if (slotLength == null && slotsLength != slotWidth) {
            recordLengths(slotWidth);
        }
        if (slotLength != null) {
            slotLength[slot] = slotsLength;
        }
        if (pendingCount > 0 || this.pendingLength != null) {
            this.pendingLength[slot] = pendingCount;
        }
    }

    int slotLength(final int slot) {
        return slotLength == null ? slotWidth : slotLength[slot];
    }

    int pendingLength(final int slot) {
        return pendingLength == null ? 0 : pendingLength[slot];
    }

    double seen(final int slot) {
        return seen == null ? 0.0 : seen[slot];
    }

    double sumSquares(final int slot) {
        return sumSquares == null ? 0.0 : sumSquares[slot];
    }

    double mean(final int slot) {
        return mean == null ? Double.NaN : mean[slot];
    }

    double squaredDeviations(final int slot) {
        return squaredDeviations == null ? Double.NaN : squaredDeviations[slot];
    }

    /** {@link WeightRow#standardizedAt} of a slot's row. */
    boolean standardizedAt(final int slot, final long version) {
        final double m = mean(slot);
        return !Double.isNaN(m) && seen(slot) == step[slot] && step[slot] >= version;
    }

    /** Marks a feature row written in place dirty. */
    void markSlotDirty(final int slot) {
        if (!isDirty(slot)) {
            dirtyBits[slot >>> 6] |= 1L << slot;
            appendDirty(indexOf[slot]);
        }
    }

    // ---- internals ----

    private void put(final int index, final WeightRow row) {
        if (index >= FeatureHasher.FIRST_MODEL_ROW) {
            modelWide.put(index, row);
            return;
        }
        int slot = slotOf(index);
        if (slot == NO_SLOT) {
            slot = add(index);
        }
        final double[] rowPending = row.pending();
        reserve(row.clock().length, row.slots().length, rowPending.length);
        step[slot] = row.step();
        Arrays.fill(clock, slot * clockWidth, (slot + 1) * clockWidth, 0.0);
        System.arraycopy(row.clock(), 0, clock, slot * clockWidth, row.clock().length);
        if (row.seen() != 0 || row.sumSquares() != 0 || seen != null) {
            reserveStatistics(!Double.isNaN(row.mean()) || !Double.isNaN(row.squaredDeviations()));
            seen[slot] = row.seen();
            sumSquares[slot] = row.sumSquares();
        }
        if (!Double.isNaN(row.mean()) || !Double.isNaN(row.squaredDeviations()) || mean != null) {
            reserveStatistics(true);
            mean[slot] = row.mean();
            squaredDeviations[slot] = row.squaredDeviations();
        }
        Arrays.fill(slots, slot * slotWidth, (slot + 1) * slotWidth, 0.0);
        System.arraycopy(row.slots(), 0, slots, slot * slotWidth, row.slots().length);
        if (pending != null) {
            Arrays.fill(pending, slot * pendingWidth, (slot + 1) * pendingWidth, 0.0);
            System.arraycopy(rowPending, 0, pending, slot * pendingWidth, rowPending.length);
        }
        setLengths(slot, row.slots().length, rowPending.length);
    }

    private void markDirty(final int index) {
        if (index >= FeatureHasher.FIRST_MODEL_ROW) {
            if (modelWideDirty.put(index, Boolean.TRUE) == null) {
                appendDirty(index);
            }
        } else {
            markSlotDirty(slotOf(index));
        }
    }

    private void appendDirty(final int index) {
        if (dirtyCount == dirtyList.length) {
            dirtyList = Arrays.copyOf(dirtyList, dirtyCount * 2);
        }
        dirtyList[dirtyCount++] = index;
    }

    private boolean isDirty(final int slot) {
        return (dirtyBits[slot >>> 6] & (1L << slot)) != 0;
    }

    private void forgetDirty(final int index) {
        for (int i = 0; i < dirtyCount; i++) {
            if (dirtyList[i] == index) {
                System.arraycopy(dirtyList, i + 1, dirtyList, i, dirtyCount - i - 1);
                dirtyCount--;
                return;
            }
        }
    }

    private int home(final int index) {
        // Fibonacci hashing: indices from small tests are consecutive, hashed ones are not
        return (index * 0x9E3779B9) >>> shift;
    }

    /** The bucket holding {@code index}, or -1. */
    private int bucketOf(final int index) {
        final int[] t = table;
        final int mask = t.length - 1;
        int bucket = home(index);
        int entry;
        while ((entry = t[bucket]) != 0) {
            if (indexOf[entry - 1] == index) {
                return bucket;
            }
            bucket = (bucket + 1) & mask;
        }
        return NO_SLOT;
    }

    private void rehash(final int length) {
        table = new int[length];
        shift = Integer.numberOfLeadingZeros(length) + 1;
        final int mask = length - 1;
        for (int slot = 0; slot < size; slot++) {
            int bucket = home(indexOf[slot]);
            while (table[bucket] != 0) {
                bucket = (bucket + 1) & mask;
            }
            table[bucket] = slot + 1;
        }
    }

    /** Moves the last slot's row into {@code slot} (freed), keeping the slots dense. */
    private void moveLastInto(final int slot) {
        final int last = --size;
        if (slot != last) {
            final int bucket = bucketOf(indexOf[last]);
            table[bucket] = slot + 1;
            indexOf[slot] = indexOf[last];
            step[slot] = step[last];
            System.arraycopy(clock, last * clockWidth, clock, slot * clockWidth, clockWidth);
            moveDouble(seen, last, slot);
            moveDouble(sumSquares, last, slot);
            moveDouble(mean, last, slot);
            moveDouble(squaredDeviations, last, slot);
            System.arraycopy(slots, last * slotWidth, slots, slot * slotWidth, slotWidth);
            if (slotLength != null) {
                slotLength[slot] = slotLength[last];
            }
            if (pending != null) {
                System.arraycopy(pending, last * pendingWidth, pending, slot * pendingWidth, pendingWidth);
                pendingLength[slot] = pendingLength[last];
            }
            final boolean lastDirty = isDirty(last);
            dirtyBits[slot >>> 6] = lastDirty ? dirtyBits[slot >>> 6] | 1L << slot : dirtyBits[slot >>> 6] & ~(1L << slot);
        }
        dirtyBits[last >>> 6] &= ~(1L << last);
    }

    private static void moveDouble(final double[] column, final int from, final int to) {
        if (column != null) {
            column[to] = column[from];
        }
    }

    /** Zeroes a new slot: the state of a feature never seen. */
    private void clear(final int slot) {
        step[slot] = 0;
        Arrays.fill(clock, slot * clockWidth, (slot + 1) * clockWidth, 0.0);
        if (seen != null) {
            seen[slot] = 0;
            sumSquares[slot] = 0;
        }
        if (mean != null) {
            mean[slot] = Double.NaN;
            squaredDeviations[slot] = Double.NaN;
        }
        Arrays.fill(slots, slot * slotWidth, (slot + 1) * slotWidth, 0.0);
        if (slotLength != null) {
            slotLength[slot] = 0;
        }
        if (pending != null) {
            Arrays.fill(pending, slot * pendingWidth, (slot + 1) * pendingWidth, 0.0);
            pendingLength[slot] = 0;
        }
    }

    /** Keeps each row's length from now on, every present row's being {@code width}. */
    private void recordLengths(final int width) {
        slotLength = new int[capacity];
        Arrays.fill(slotLength, 0, size, width);
    }

    /** Grows every column to {@code rows} slots. */
    private void allocate(final int rows) {
        capacity = rows;
        indexOf = indexOf == null ? new int[rows] : Arrays.copyOf(indexOf, rows);
        step = step == null ? new long[rows] : Arrays.copyOf(step, rows);
        clock = clock == null ? new double[0] : Arrays.copyOf(clock, rows * clockWidth);
        seen = seen == null ? null : Arrays.copyOf(seen, rows);
        sumSquares = sumSquares == null ? null : Arrays.copyOf(sumSquares, rows);
        mean = mean == null ? null : Arrays.copyOf(mean, rows);
        squaredDeviations = squaredDeviations == null ? null : Arrays.copyOf(squaredDeviations, rows);
        slots = slots == null ? new double[0] : Arrays.copyOf(slots, rows * slotWidth);
        slotLength = slotLength == null ? null : Arrays.copyOf(slotLength, rows);
        pending = pending == null ? null : Arrays.copyOf(pending, rows * pendingWidth);
        pendingLength = pendingLength == null ? null : Arrays.copyOf(pendingLength, rows);
        dirtyBits = dirtyBits == null ? new long[(rows + 63) >>> 6] : Arrays.copyOf(dirtyBits, (rows + 63) >>> 6);
    }

    /** A column of {@code capacity} rows re-laid from {@code from} to {@code to} numbers per row. */
    private double[] widened(final double[] column, final int from, final int to) {
        final double[] out = new double[capacity * to];
        for (int slot = 0; slot < size; slot++) {
            System.arraycopy(column, slot * from, out, slot * to, from);
        }
        return out;
    }
}
