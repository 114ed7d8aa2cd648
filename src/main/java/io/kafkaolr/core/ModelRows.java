package io.kafkaolr.core;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Every row of one model held in memory, by index (feature rows below
 * {@link FeatureHasher#FIRST_MODEL_ROW}, model-wide rows from it), with the set of rows changed
 * since {@link #clearDirty()}: what a training task writes to its store once per commit.
 *
 * <p>{@link #write} marks a row dirty; {@link #load} (a row read back from the store) does not.
 */
public final class ModelRows implements WeightAccess {
    private final Map<Integer, WeightRow> rows = new HashMap<>();
    private final Set<Integer> dirty = new LinkedHashSet<>();

    @Override
    public WeightRow read(final int index) {
        return rows.get(index);
    }

    @Override
    public void write(final int index, final WeightRow row) {
        rows.put(index, row);
        dirty.add(index);
    }

    /** Puts a row as stored (restoring from the store or the model topic): not dirty. */
    public void load(final int index, final WeightRow row) {
        rows.put(index, row);
    }

    /** Removes a row (a tombstone on the model topic): not dirty. */
    public void remove(final int index) {
        rows.remove(index);
        dirty.remove(index);
    }

    /** Whether {@code index} has a row. */
    public boolean contains(final int index) {
        return rows.containsKey(index);
    }

    /** Number of rows, model-wide ones included. */
    public int size() {
        return rows.size();
    }

    /** Number of feature rows (below {@link FeatureHasher#FIRST_MODEL_ROW}). */
    public int featureRows() {
        int n = 0;
        for (final int index : rows.keySet()) {
            if (index < FeatureHasher.FIRST_MODEL_ROW) {
                n++;
            }
        }
        return n;
    }

    /** Calls {@code action} with the index of every row, in no particular order. */
    public void forEachIndex(final IntConsumer action) {
        rows.keySet().forEach(action::accept);
    }

    /** Number of rows written since the last {@link #clearDirty()}. */
    public int dirtyCount() {
        return dirty.size();
    }

    /** Calls {@code action} once with the index of each row written since the last {@link #clearDirty()}. */
    public void forEachDirty(final IntConsumer action) {
        dirty.forEach(action::accept);
    }

    /** Forgets which rows were written: they have reached the store. */
    public void clearDirty() {
        dirty.clear();
    }
}
