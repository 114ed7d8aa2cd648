package io.kafkaolr.core;

/**
 * How a model transforms each feature value before learning from it, so that the default
 * settings learn raw data whatever the units of its features. The statistics are kept per
 * feature in its row (part of the model, exported and restored with it) and include the
 * current example, so the transform needs no pass over the data.
 */
public enum Normalization {
    /** The raw values. */
    NONE,
    /**
     * Each value divided by the root mean square of the values its feature has had (as Vowpal
     * Wabbit's normalised updates): rescaling a feature leaves learning unchanged, and a sparse
     * feature stays sparse.
     */
    SCALE,
    /**
     * As {@link #SCALE}, but a feature present in every example since the model began is
     * standardised instead, {@code (x - mean) / standard deviation} (an online standardiser, as
     * scikit-learn's or River's StandardScaler). Centring removes the near-collinearity of
     * dense features with the bias, which slows every first-order optimizer. A feature that has
     * been absent from some example is only scaled, from then on: centring it where it appears
     * would erase what its presence says (an indicator's value is always its mean).
     */
    STANDARDIZE
}
