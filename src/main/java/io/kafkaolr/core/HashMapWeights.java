package io.kafkaolr.core;

import java.util.HashMap;
import java.util.Map;

/** Weight rows held in a hash map: the in-process store used by {@code replay} and by tests. */
public final class HashMapWeights implements WeightAccess {
    private final Map<Integer, WeightRow> rows = new HashMap<>();

    @Override
    public WeightRow read(final int index) {
        return rows.get(index);
    }

    @Override
    public void write(final int index, final WeightRow row) {
        rows.put(index, row);
    }

    /** The current (L2-caught-up) weight of logit {@code k} at {@code index} for {@code model}. */
    public double current(final ModelState model, final int index, final int k) {
        final WeightRow row = rows.get(index);
        return row == null ? 0.0 : row.current(k, model.logScale());
    }

    /** Number of rows written. */
    public int size() {
        return rows.size();
    }
}
