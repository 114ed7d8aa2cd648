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
 * <p>Feature rows live in one array of numbers, one stride per row, indexed by a dense slot
 * number; an open-addressing table (linear probing, backward-shift deletion) of feature index
 * and slot side by side maps a feature index to its slot. A lookup then reads one place in the
 * table and a row's numbers lie together, so that learning or scoring a feature of a model
 * larger than the cache costs one or two cache misses rather than one per field. Nothing is
 * boxed, memory grows with the rows present rather than with {@code 2^bits}, and the learner
 * reads and writes a row's numbers in place ({@link Learner}). A row holds only the fields its
 * model has used (normalisation statistics, pending gradients); a field used for the first time
 * re-lays every row, once. The optimizer's state of every row has the same width, the widest
 * row's: a softmax model that adds a class widens it, once. Each row keeps its own length, so
 * that {@link #read} gives back the row exactly as it was written. Model-wide rows (least
 * squares' covariance) are few and kept as {@link WeightRow} objects.
 */
public final class ModelRows implements WeightAccess {
    private static final int NO_SLOT = -1;
    private static final int INITIAL_CAPACITY = 16;
    /** A row's step, its first number: a long kept as the bits of a double. */
    static final int STEP = 0;

    /** The open-addressing table, two ints a bucket: a feature index, then slot + 1 (0 when empty). */
    private int[] table = new int[2 * 2 * INITIAL_CAPACITY];
    /** {@code 32 - log2(buckets)}: the shift that keeps a hash's top bits. */
    private int shift = Integer.numberOfLeadingZeros(2 * INITIAL_CAPACITY) + 1;
    private int size;
    private int capacity;

    private int[] indexOf;
    /** Every row's numbers, {@link #stride} per slot, at the offsets below. */
    double[] data;
    int stride;
    int clockAt;
    int clockWidth;
    /** Whether rows hold a count and a sum of squares (all 0 until then). */
    boolean statistics;
    int seenAt;
    /** Whether rows hold a mean and a sum of squared deviations (all NaN until then). */
    boolean standardized;
    int meanAt;
    int slotsAt;
    int slotWidth;
    /** Null while every row's state is {@link #slotWidth} long (the common case: one width per model). */
    private int[] slotLength;
    /** The pending gradient's length, then its numbers, when {@link #pendingWidth} is not 0. */
    int pendingAt;
    int pendingWidth;

    private long[] dirtyBits;
    /** What {@link #touch} read, summed: written so that its reads count. */
    @SuppressWarnings("unused")
    private double touched;
    private int[] dirtyList = new int[INITIAL_CAPACITY];
    private int dirtyCount;

    private final Map<Integer, WeightRow> modelWide = new HashMap<>();
    private final Map<Integer, Boolean> modelWideDirty = new HashMap<>();

    /** An empty model. */
    public ModelRows() {
        layout(0, false, false, 0, 0);
        allocate(INITIAL_CAPACITY);
    }

    // ---- the WeightRow interface: restoring, exporting, least squares ----

    /**
     * The row of {@code index}, or null when it has none: a feature row copied out of the arrays,
     * a model-wide row as stored (rows never modify their arrays).
     */
    @Override
    public WeightRow read(final int index) {
        if (index >= FeatureHasher.FIRST_MODEL_ROW) {
            return modelWide.get(index);
        }
        final int slot = slotOf(index);
        if (slot == NO_SLOT) {
            return null;
        }
        final int base = slot * stride;
        final double[] rowClock = clockWidth == 0 ? WeightRow.NONE
                : Arrays.copyOfRange(data, base + clockAt, base + clockAt + clockWidth);
        final double[] rowSlots = slotLength(slot) == 0 ? WeightRow.NONE
                : Arrays.copyOfRange(data, base + slotsAt, base + slotsAt + slotLength(slot));
        final int pendingCount = pendingLength(slot);
        final double[] rowPending = pendingCount == 0 ? WeightRow.NONE
                : Arrays.copyOfRange(data, base + pendingAt + 1, base + pendingAt + 1 + pendingCount);
        return new WeightRow(step(slot), rowClock, seen(slot), sumSquares(slot), mean(slot), squaredDeviations(slot),
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
        final int slot = table[hole + 1] - 1;
        if (isDirty(slot)) {
            forgetDirty(index);
        }
        // backward-shift deletion: move later entries of the probe run into the hole, so that
        // every entry stays reachable from its home bucket without tombstones
        final int mask = table.length - 1;
        int next = (hole + 2) & mask;
        while (table[next + 1] != 0) {
            final int home = home(table[next]);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                table[hole] = table[next];
                table[hole + 1] = table[next + 1];
                hole = next;
            }
            next = (next + 2) & mask;
        }
        table[hole] = 0;
        table[hole + 1] = 0;
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

    /**
     * The index of the feature row in {@code slot}, for {@code slot} in {@code [0, featureRows())}.
     * Rows are in no particular order, but a new row takes the next slot ({@code featureRows()}
     * before it was added); only {@link #remove} moves a row, the last one into the hole.
     */
    public int indexAtSlot(final int slot) {
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + size);
        }
        return indexOf[slot];
    }

    /**
     * An upper bound of the bytes of a feature row as stored ({@code ModelStateCodec}'s row
     * format): every field the rows have, at the widest row's width.
     */
    public int storedRowBytes() {
        return 1 + 8 + 1 + 8 * clockWidth + 1 + 32 + 4 + 8 * slotWidth + 4 + 8 * pendingWidth;
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

    // ---- in place, for the learner: a row is a slot, its fields are offsets in its stride ----

    /** The slot of {@code index}'s feature row, or -1 when it has none. */
    int slotOf(final int index) {
        final int[] t = table;
        final int mask = t.length - 1;
        int at = home(index);
        int entry;
        while ((entry = t[at + 1]) != 0) {
            if (t[at] == index) {
                return entry - 1;
            }
            at = (at + 2) & mask;
        }
        return NO_SLOT;
    }

    /**
     * Reads the first and last number of each row of {@code slots[0, n)} (a negative slot has no
     * row), so that the rows' cache lines are loaded side by side, before a step reads them one
     * after another. The sum is kept only so that the reads are not optimised away.
     */
    void touch(final int[] slots, final int n) {
        final double[] d = data;
        final int last = stride - 1;
        double sum = 0;
        for (int j = 0; j < n; j++) {
            final int slot = slots[j];
            if (slot >= 0) {
                final int base = slot * stride;
                sum += d[base] + d[base + last];
            }
        }
        touched = sum;
    }

    /** A new, zero feature row for {@code index} (which has none): its slot. */
    int add(final int index) {
        if (size == capacity) {
            // a small growth factor: the rows are most of a model's memory, and a copy is rare
            allocate(capacity + (capacity >>> 3) + INITIAL_CAPACITY);
        }
        if (4L * (size + 1) > (long) table.length * 3 / 2) {
            rehash(table.length * 2);
        }
        final int slot = size++;
        indexOf[slot] = index;
        insert(index, slot);
        clear(slot);
        return slot;
    }

    /** Widens the rows, when needed, to these lengths. */
    void reserve(final int clockLength, final int slotsLength, final int pendingLength) {
        int clocks = clockWidth;
        int width = slotWidth;
        int pendings = pendingWidth;
        if (clockLength > clocks) {
            clocks = clockLength;
        }
        if (slotsLength > width) {
            // rare: a class added to a softmax model, or a least-squares model's new feature
            width = Math.max(slotsLength, slotWidth + (slotWidth >>> 3));
            if (slotLength == null && size > 0) {
                recordLengths(slotWidth);
            }
        }
        if (pendingLength > pendings) {
            pendings = pendingLength;
        }
        if (clocks != clockWidth || width != slotWidth || pendings != pendingWidth) {
            relayout(clocks, statistics, standardized, width, pendings);
        }
    }

    /** Gives rows a count and a sum of squares (and, when {@code standardized}, a mean's). */
    void reserveStatistics(final boolean standardized) {
        if (!statistics || standardized && !this.standardized) {
            relayout(clockWidth, true, standardized || this.standardized, slotWidth, pendingWidth);
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
        if (pendingCount > 0 || pendingWidth > 0) {
            data[slot * stride + pendingAt] = pendingCount;
        }
    }

    int slotLength(final int slot) {
        return slotLength == null ? slotWidth : slotLength[slot];
    }

    int pendingLength(final int slot) {
        return pendingWidth == 0 ? 0 : (int) data[slot * stride + pendingAt];
    }

    long step(final int slot) {
        return Double.doubleToRawLongBits(data[slot * stride + STEP]);
    }

    void setStep(final int slot, final long step) {
        // a step is far below the bits of a NaN: its double goes through the array unchanged
        data[slot * stride + STEP] = Double.longBitsToDouble(step);
    }

    double seen(final int slot) {
        return statistics ? data[slot * stride + seenAt] : 0.0;
    }

    double sumSquares(final int slot) {
        return statistics ? data[slot * stride + seenAt + 1] : 0.0;
    }

    double mean(final int slot) {
        return standardized ? data[slot * stride + meanAt] : Double.NaN;
    }

    double squaredDeviations(final int slot) {
        return standardized ? data[slot * stride + meanAt + 1] : Double.NaN;
    }

    /** {@link WeightRow#standardizedAt} of a slot's row. */
    boolean standardizedAt(final int slot, final long version) {
        final double m = mean(slot);
        final long step = step(slot);
        return !Double.isNaN(m) && seen(slot) == step && step >= version;
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
        if (row.seen() != 0 || row.sumSquares() != 0) {
            reserveStatistics(!Double.isNaN(row.mean()) || !Double.isNaN(row.squaredDeviations()));
        }
        if (!Double.isNaN(row.mean()) || !Double.isNaN(row.squaredDeviations())) {
            reserveStatistics(true);
        }
        final int base = slot * stride;
        setStep(slot, row.step());
        Arrays.fill(data, base + clockAt, base + clockAt + clockWidth, 0.0);
        System.arraycopy(row.clock(), 0, data, base + clockAt, row.clock().length);
        if (statistics) {
            data[base + seenAt] = row.seen();
            data[base + seenAt + 1] = row.sumSquares();
        }
        if (standardized) {
            data[base + meanAt] = row.mean();
            data[base + meanAt + 1] = row.squaredDeviations();
        }
        Arrays.fill(data, base + slotsAt, base + slotsAt + slotWidth, 0.0);
        System.arraycopy(row.slots(), 0, data, base + slotsAt, row.slots().length);
        if (pendingWidth > 0) {
            Arrays.fill(data, base + pendingAt + 1, base + pendingAt + 1 + pendingWidth, 0.0);
            System.arraycopy(rowPending, 0, data, base + pendingAt + 1, rowPending.length);
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

    /** The table position of {@code index}'s home bucket. */
    private int home(final int index) {
        // Fibonacci hashing: indices from small tests are consecutive, hashed ones are not
        return ((index * 0x9E3779B9) >>> shift) << 1;
    }

    /** The table position of the bucket holding {@code index}, or -1. */
    private int bucketOf(final int index) {
        final int[] t = table;
        final int mask = t.length - 1;
        int at = home(index);
        while (t[at + 1] != 0) {
            if (t[at] == index) {
                return at;
            }
            at = (at + 2) & mask;
        }
        return NO_SLOT;
    }

    private void insert(final int index, final int slot) {
        final int mask = table.length - 1;
        int at = home(index);
        while (table[at + 1] != 0) {
            at = (at + 2) & mask;
        }
        table[at] = index;
        table[at + 1] = slot + 1;
    }

    private void rehash(final int length) {
        table = new int[length];
        shift = Integer.numberOfLeadingZeros(length >>> 1) + 1;
        for (int slot = 0; slot < size; slot++) {
            insert(indexOf[slot], slot);
        }
    }

    /** Moves the last slot's row into {@code slot} (freed), keeping the slots dense. */
    private void moveLastInto(final int slot) {
        final int last = --size;
        if (slot != last) {
            final int bucket = bucketOf(indexOf[last]);
            table[bucket + 1] = slot + 1;
            indexOf[slot] = indexOf[last];
            System.arraycopy(data, last * stride, data, slot * stride, stride);
            if (slotLength != null) {
                slotLength[slot] = slotLength[last];
            }
            final boolean lastDirty = isDirty(last);
            dirtyBits[slot >>> 6] = lastDirty ? dirtyBits[slot >>> 6] | 1L << slot : dirtyBits[slot >>> 6] & ~(1L << slot);
        }
        dirtyBits[last >>> 6] &= ~(1L << last);
    }

    /** Zeroes a new slot: the state of a feature never seen. */
    private void clear(final int slot) {
        final int base = slot * stride;
        Arrays.fill(data, base, base + stride, 0.0);
        if (standardized) {
            data[base + meanAt] = Double.NaN;
            data[base + meanAt + 1] = Double.NaN;
        }
        if (slotLength != null) {
            slotLength[slot] = 0;
        }
    }

    /** Keeps each row's length from now on, every present row's being {@code width}. */
    private void recordLengths(final int width) {
        slotLength = new int[capacity];
        Arrays.fill(slotLength, 0, size, width);
    }

    /** Sets the offsets of a row's fields and its stride. */
    private void layout(final int clocks, final boolean withStatistics, final boolean withMean, final int width,
                        final int pendings) {
        int at = STEP + 1;
        clockAt = at;
        clockWidth = clocks;
        at += clocks;
        statistics = withStatistics;
        seenAt = at;
        at += withStatistics ? 2 : 0;
        standardized = withMean;
        meanAt = at;
        at += withMean ? 2 : 0;
        slotsAt = at;
        slotWidth = width;
        at += width;
        pendingAt = at;
        pendingWidth = pendings;
        at += pendings == 0 ? 0 : 1 + pendings;
        stride = at;
    }

    /** Re-lays every row with these fields, a field new to the rows at its value for a feature never seen. */
    private void relayout(final int clocks, final boolean withStatistics, final boolean withMean, final int width,
                          final int pendings) {
        final double[] from = data;
        final int fromStride = stride;
        final int fromClock = clockAt;
        final int fromClocks = clockWidth;
        final boolean hadStatistics = statistics;
        final int fromSeen = seenAt;
        final boolean hadMean = standardized;
        final int fromMean = meanAt;
        final int fromSlots = slotsAt;
        final int fromWidth = slotWidth;
        final int fromPending = pendingAt;
        final int fromPendings = pendingWidth;
        layout(clocks, withStatistics, withMean, width, pendings);
        final double[] to = new double[capacity * stride];
        for (int slot = 0; slot < size; slot++) {
            final int src = slot * fromStride;
            final int dst = slot * stride;
            to[dst + STEP] = from[src + STEP];
            System.arraycopy(from, src + fromClock, to, dst + clockAt, fromClocks);
            if (hadStatistics) {
                to[dst + seenAt] = from[src + fromSeen];
                to[dst + seenAt + 1] = from[src + fromSeen + 1];
            }
            if (withMean) {
                to[dst + meanAt] = hadMean ? from[src + fromMean] : Double.NaN;
                to[dst + meanAt + 1] = hadMean ? from[src + fromMean + 1] : Double.NaN;
            }
            System.arraycopy(from, src + fromSlots, to, dst + slotsAt, fromWidth);
            if (fromPendings > 0) {
                System.arraycopy(from, src + fromPending, to, dst + pendingAt, 1 + fromPendings);
            }
        }
        data = to;
    }

    /** Grows every array to {@code rows} slots. */
    private void allocate(final int rows) {
        capacity = rows;
        indexOf = indexOf == null ? new int[rows] : Arrays.copyOf(indexOf, rows);
        data = data == null ? new double[rows * stride] : Arrays.copyOf(data, rows * stride);
        slotLength = slotLength == null ? null : Arrays.copyOf(slotLength, rows);
        dirtyBits = dirtyBits == null ? new long[(rows + 63) >>> 6] : Arrays.copyOf(dirtyBits, (rows + 63) >>> 6);
    }
}
