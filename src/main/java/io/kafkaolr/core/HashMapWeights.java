package io.kafkaolr.core;

import java.util.HashMap;
import java.util.List;
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

    /** The weight of logit {@code k} at {@code index} as {@code model} serves it now, in the feature's units. */
    public double current(final ModelState model, final int index, final int k) {
        return OnlineLogisticRegression.weight(model, rows.get(index), k);
    }

    /** The indices of the features' rows written (not those of model-wide state, such as least squares' covariance row). */
    public List<Integer> featureIndices() {
        return rows.keySet().stream().filter(index -> index < FeatureHasher.FIRST_MODEL_ROW).toList();
    }

    /** The indices of every row written, model-wide ones included. */
    public List<Integer> indices() {
        return List.copyOf(rows.keySet());
    }

    /** Number of rows written, model-wide ones included. */
    public int size() {
        return rows.size();
    }
}
