package io.kafkaolr.core;

/**
 * Read and write access to the weight rows of one model, by feature index. The topology backs
 * it with a state store, {@code replay} with a hash map; the core reads and writes only the
 * indices of the example at hand, so a step costs O(nnz).
 */
public interface WeightAccess {
    /** The row of {@code index}, or null when the feature has never been updated. */
    WeightRow read(int index);

    /** Replaces the row of {@code index}. */
    void write(int index, WeightRow row);
}
