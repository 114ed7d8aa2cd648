package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary and softmax logistic regression trained by per-record SGD, exactly as MATH.md states:
 * predict first (progressive validation), then one step of
 * {@code w <- (1 - eta_t l2) w - eta_t s (p - y) x} on the coordinates present in {@code x}
 * and on the bias (never penalised). L2 is applied lazily: rows not in {@code x} are caught up
 * when next read, which gives the same weights as shrinking every weight at every step.
 *
 * <p>A step that would make a logit, the loss or a weight NaN or infinite is refused with
 * {@link RejectReason#NUMERIC_OVERFLOW} and leaves the model unchanged.
 */
public final class OnlineLogisticRegression {
    private OnlineLogisticRegression() {
    }

    /** Scores {@code x} with the model's current weights. Reads only the rows of {@code x}. */
    public static ModelOutput predict(final ModelState model, final SparseVector x, final WeightAccess weights) {
        final int logits = model.logits();
        final double[] current = currentWeights(model, x, weights, logits);
        final double[] z = logits(model, x, current, logits, logits);
        requireFinite(z, "logit");
        return output(model.settings().type(), model.classes(), z, model.version());
    }

    /**
     * Predicts the example, then takes one SGD step on it.
     *
     * @param importance the importance weight {@code s >= 0}
     * @throws RejectedInputException for an unknown label the model may not add, an invalid
     *     importance, or a step that would overflow; the model is then unchanged
     */
    public static StepResult learn(final ModelState model, final SparseVector x, final String label,
                                   final double importance, final WeightAccess weights) {
        if (!Double.isFinite(importance)) {
            throw new RejectedInputException(RejectReason.NON_FINITE_VALUE, "importance is " + importance);
        }
        if (importance < 0) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "importance must be >= 0, got " + importance);
        }
        final ModelSettings settings = model.settings();
        List<String> classes = model.classes();
        int y = classes.indexOf(label);
        String added = null;
        if (y < 0) {
            if (!settings.allowNewClasses()) {
                throw new RejectedInputException(RejectReason.UNKNOWN_LABEL, "label '" + label + "' is not one of "
                        + classes + (settings.type() == ModelType.BINARY ? " (binary model)" : " and this model does not add classes"));
            }
            added = label;
            final List<String> grown = new ArrayList<>(classes);
            grown.add(label);
            classes = grown;
            y = classes.size() - 1;
        }
        final int logits = settings.logitsFor(classes.size());
        final int storedLogits = model.logits();

        final double[] current = currentWeights(model, x, weights, logits);
        final double[] z = logits(model, x, current, logits, storedLogits);
        requireFinite(z, "logit");
        final ModelOutput progressive = output(settings.type(), classes, z, model.version());
        final double[] p = progressive.probabilities();
        final double loss = progressive.logLoss(y);

        final long t = model.version() + 1;
        final double eta = settings.schedule().rate(settings.learningRate(), settings.powerT(), t);
        final double shrink = 1.0 - eta * settings.l2();
        final double newLogScale = settings.l2() == 0 ? model.logScale() : model.logScale() + Math.log(shrink);

        final double[] gradient = new double[logits];
        if (settings.type() == ModelType.BINARY) {
            gradient[0] = importance * (p[1] - y);
        } else {
            for (int k = 0; k < logits; k++) {
                gradient[k] = importance * (p[k] - (k == y ? 1.0 : 0.0));
            }
        }
        final double[] newBias = new double[logits];
        for (int k = 0; k < logits; k++) {
            newBias[k] = model.biasAt(k) - eta * gradient[k];
        }
        requireFinite(newBias, "bias");
        final int n = x.size();
        final double[] updated = new double[n * logits];
        for (int j = 0; j < n; j++) {
            final double xj = x.valueAt(j);
            for (int k = 0; k < logits; k++) {
                updated[j * logits + k] = shrink * current[j * logits + k] - eta * gradient[k] * xj;
            }
        }
        requireFinite(updated, "weight");

        for (int j = 0; j < n; j++) {
            final double[] row = new double[logits];
            System.arraycopy(updated, j * logits, row, 0, logits);
            weights.write(x.indexAt(j), new WeightRow(row, newLogScale));
        }
        model.applyStep(t, newLogScale, newBias,
                model.metrics().plus(loss, progressive.predicted() == y, importance), added);
        return new StepResult(progressive, y, loss);
    }

    /** The current (caught-up) weights of the rows of {@code x}: {@code logits} per entry. */
    private static double[] currentWeights(final ModelState model, final SparseVector x,
                                           final WeightAccess weights, final int logits) {
        final int n = x.size();
        final double[] current = new double[n * logits];
        final double scale = model.logScale();
        for (int j = 0; j < n; j++) {
            final WeightRow row = weights.read(x.indexAt(j));
            if (row != null) {
                for (int k = 0; k < logits; k++) {
                    current[j * logits + k] = row.current(k, scale);
                }
            }
        }
        return current;
    }

    private static double[] logits(final ModelState model, final SparseVector x, final double[] current,
                                   final int logits, final int storedLogits) {
        final double[] z = new double[logits];
        for (int k = 0; k < logits; k++) {
            z[k] = k < storedLogits ? model.biasAt(k) : 0.0;
        }
        final int n = x.size();
        for (int j = 0; j < n; j++) {
            final double xj = x.valueAt(j);
            for (int k = 0; k < logits; k++) {
                z[k] += current[j * logits + k] * xj;
            }
        }
        return z;
    }

    private static ModelOutput output(final ModelType type, final List<String> classes, final double[] z,
                                      final long version) {
        final double[] p;
        final double logit;
        if (type == ModelType.BINARY) {
            // each side from its own sigmoid: no cancellation in 1 - p for confident predictions
            p = new double[] {Numerics.sigmoid(-z[0]), Numerics.sigmoid(z[0])};
            logit = z[0];
        } else {
            p = new double[z.length];
            Numerics.softmax(z, p, z.length);
            logit = Double.NaN;
        }
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return new ModelOutput(List.copyOf(classes), p, best, logit, version, z.clone());
    }

    private static void requireFinite(final double[] values, final String what) {
        for (final double v : values) {
            if (!Double.isFinite(v)) {
                throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW,
                        "the step would make a " + what + " " + v + "; the model is left unchanged");
            }
        }
    }
}
