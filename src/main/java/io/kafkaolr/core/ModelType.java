package io.kafkaolr.core;

/** The kind of model. */
public enum ModelType {
    /** Binary logistic regression: one logit, two labels (negative, positive). */
    BINARY,
    /** Multinomial (softmax) regression: one logit per class, any number of string labels. */
    SOFTMAX
}
