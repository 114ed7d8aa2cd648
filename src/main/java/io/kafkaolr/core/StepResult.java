package io.kafkaolr.core;

/**
 * The outcome of one training step.
 *
 * @param progressive the prediction made before the update (progressive validation)
 * @param labelIndex the index of the example's label among the classes
 * @param logLoss the log loss of the progressive prediction
 */
public record StepResult(ModelOutput progressive, int labelIndex, double logLoss) {
    /** Whether the progressive prediction was right. */
    public boolean correct() {
        return progressive.predicted() == labelIndex;
    }
}
