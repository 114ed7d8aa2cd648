package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Learns and scores examples on a model held in a {@link ModelRows}, allocating nothing in
 * steady state: the numbers of a step are computed in buffers this object owns, checked, and
 * only then written into the model's arrays, so a refused step ({@link RejectedInputException})
 * leaves the model unchanged. The outcome of the last call is read from this object
 * ({@link #labelIndex()}, {@link #logLoss()}, {@link #predicted()}, {@link #probability(int)}).
 *
 * <p>One learner serves any number of models, one call at a time (it is not thread-safe). The
 * arithmetic is docs/MATH.md's, the same to the bit as {@link OnlineLogisticRegression}'s, which
 * delegates here: predict first (progressive validation), then one step of the model's
 * optimizer ({@link CoordinateOptimizer}) on the coordinates present and on the bias, with the
 * gradient of the model's {@link Loss}. A row is caught up (the step of a closed mini-batch its
 * gradient was pending for, then the regularisation of the steps since) when it is read.
 * Least-squares models ({@link Optimizer#RLS}) are learned by {@link LogitLeastSquares}, which
 * allocates.
 */
public final class Learner {
    /** The number of normalisation statistics kept per feature of a step. */
    private static final int STATISTICS = OnlineLogisticRegression.STATISTICS;

    // the outcome of the last call
    private int labelIndex;
    private double logLoss;
    private int predicted;
    private int classCount;
    private int logitCount;
    private long version;
    private String addedLabel;

    // per logit
    private double[] logits = new double[2];
    private double[] probabilities = new double[2];
    private double[] iterateLogits = new double[2];
    private double[] iterateProbabilities = new double[2];
    private double[] gradient = new double[2];
    private double[] biasGradient = new double[2];
    // per logit and slot
    private double[] bias = new double[4];
    private double[] biasAfter = new double[4];
    private double[] weightAfter = new double[4];
    // the optimizer's model-wide accumulators
    private final double[] nextClock = new double[4];
    private final double[] rowClock = new double[4];
    // per feature of the example
    private int[] slotOf = new int[64];
    private double[] values = new double[64];
    private double[] statistics = new double[64 * STATISTICS];
    /** Each feature's optimizer state, caught up: {@code logits * slotsPerLogit} numbers per feature. */
    private double[] state = new double[128];
    /** Each feature's summed gradient in the open mini-batch: {@code logits} numbers per feature. */
    private double[] open = new double[128];

    /** A learner with buffers for small examples; they grow to the largest example seen. */
    public Learner() {
    }

    /**
     * Predicts the example with the model's current weights, then takes one step on it.
     *
     * @param importance the importance weight {@code s >= 0}
     * @throws RejectedInputException for an unknown label the model may not add, an invalid
     *     importance, or a step that would overflow; the model and its rows are then unchanged
     */
    public void learn(final ModelState model, final SparseVector x, final String label, final double importance,
                      final ModelRows rows) {
        if (!Double.isFinite(importance)) {
            throw new RejectedInputException(RejectReason.NON_FINITE_VALUE, "importance is " + importance);
        }
        if (importance < 0) {
            throw new RejectedInputException(RejectReason.INVALID_VALUE, "importance must be >= 0, got " + importance);
        }
        final ModelSettings s = model.settings();
        int y = model.classIndex(label);
        addedLabel = null;
        if (y < 0) {
            if (!s.allowNewClasses()) {
                throw new RejectedInputException(RejectReason.UNKNOWN_LABEL, "label '" + label + "' is not one of "
                        + model.classes() + (s.type() == ModelType.BINARY ? " (binary model)"
                        : " and this model does not add classes"));
            }
            addedLabel = label;
            y = model.classCount();
        }
        if (s.optimizer() == Optimizer.RLS) {
            final List<String> grown = new ArrayList<>(model.classes());
            if (addedLabel != null) {
                grown.add(addedLabel);
            }
            final StepResult step = LogitLeastSquares.learn(model, x, grown, y, addedLabel, importance, rows);
            keep(step.progressive(), step.labelIndex(), step.logLoss());
            return;
        }
        learnByGradient(model, x, y, model.classCount() + (addedLabel == null ? 0 : 1), importance, rows);
    }

    private void learnByGradient(final ModelState model, final SparseVector x, final int y, final int classes,
                                 final double importance, final ModelRows rows) {
        final ModelSettings s = model.settings();
        final CoordinateOptimizer optimizer = model.coordinateOptimizer();
        final Loss loss = model.loss();
        final int logitsCount = s.logitsFor(classes);
        final int spl = optimizer.slotsPerLogit();
        final int width = logitsCount * spl;
        final long examples = model.version();
        final long t = examples + 1;
        final long now = model.steps();
        final int batch = s.batchSize();
        // with mini-batches, the gradient is summed per coordinate until the B-th example, which
        // takes the step; coordinates it does not touch take theirs when next read (caughtUp)
        final boolean closesBatch = t % batch == 0;
        final boolean averaged = s.optimizer() == Optimizer.ASGD;
        final double l1 = s.l1();
        final double l2 = s.l2();
        final int n = x.size();
        reserve(n, logitsCount, width);
        double squaredNorm = 0;

        // the progressive prediction, at the weights before the step
        final double[] modelBias = model.biasView();
        final int known = Math.min(modelBias.length, width);
        System.arraycopy(modelBias, 0, bias, 0, known);
        Arrays.fill(bias, known, width, 0.0);
        for (int k = 0; k < logitsCount; k++) {
            logits[k] = optimizer.served(bias, k * spl, now, 0, 0);
            if (averaged) {
                iterateLogits[k] = optimizer.iterate(bias, k * spl, now, 0, 0);
            }
        }
        // every row looked up before any is used: the lookups do not depend on one another, so
        // the processor overlaps their cache misses, which one after another dominate a large model
        for (int j = 0; j < n; j++) {
            slotOf[j] = rows.slotOf(x.indexAt(j));
        }
        rows.touch(slotOf, n);
        for (int j = 0; j < n; j++) {
            final int index = x.indexAt(j);
            final int slot = slotOf[j];
            values[j] = learnedValue(s, rows, slot, x.valueAt(j), examples, index, statistics, j * STATISTICS);
            squaredNorm += values[j] * values[j];
            final int off = j * width;
            if (slot < 0) {
                Arrays.fill(state, off, off + width, 0.0);
            } else {
                caughtUp(model, optimizer, rows, slot, logitsCount, state, off);
            }
            if (batch > 1) {
                openBatchGradient(s, rows, slot, now, logitsCount, open, j * logitsCount);
            }
            for (int k = 0; k < logitsCount; k++) {
                logits[k] += optimizer.served(state, off + k * spl, now, l1, l2) * values[j];
                if (averaged) {
                    iterateLogits[k] += optimizer.iterate(state, off + k * spl, now, l1, l2) * values[j];
                }
            }
        }
        requireFinite(logits, 0, logitsCount, "logit");
        if (averaged) {
            requireFinite(iterateLogits, 0, logitsCount, "logit");
        }
        classCount = loss.probabilities(logits, logitsCount, probabilities);
        logitCount = logitsCount;
        predicted = Loss.predicted(probabilities, classCount);
        logLoss = loss.logLoss(logits, logitsCount, y);
        labelIndex = y;
        version = examples;
        // averaged SGD serves the average but takes its gradient at the iterate
        if (averaged) {
            loss.probabilities(iterateLogits, logitsCount, iterateProbabilities);
        }
        loss.gradient(averaged ? iterateProbabilities : probabilities, logitsCount, y, importance, gradient);

        // the step, computed and checked before anything is written
        final double[] clock = model.clockView();
        System.arraycopy(clock, 0, nextClock, 0, clock.length);
        final double weightSum = model.weightSum() + importance;
        final double eta = optimizer.exampleStepSize(now + 1, nextClock, squaredNorm, importance, weightSum);
        if (closesBatch) {
            optimizer.advanceClock(nextClock, 0, eta);
        }
        // NAG's sum of squared norms overflows on values near 1e154
        requireFinite(nextClock, 0, clock.length, "model-wide accumulator");
        final double[] biasSteps;
        if (batch == 1) {
            biasSteps = gradient;
        } else {
            final double[] pendingBias = model.pendingBiasView();
            for (int k = 0; k < logitsCount; k++) {
                biasGradient[k] = (k < pendingBias.length ? pendingBias[k] : 0.0) + gradient[k];
            }
            biasSteps = biasGradient;
        }
        // a step is taken, or checked to be finite when its batch is still open
        final double[] steppedBias = closesBatch ? bias : biasAfter;
        if (!closesBatch) {
            System.arraycopy(bias, 0, biasAfter, 0, width);
        }
        for (int k = 0; k < logitsCount; k++) {
            optimizer.step(steppedBias, k * spl, biasSteps[k] / batch, eta, 0, 0);
        }
        requireFinite(steppedBias, 0, width, "bias");
        for (int j = 0; j < n; j++) {
            final int pendingAt = j * logitsCount;
            if (batch > 1) {
                for (int k = 0; k < logitsCount; k++) {
                    open[pendingAt + k] += gradient[k] * values[j];
                }
            }
            final double[] after = closesBatch ? state : weightAfter;
            final int off = closesBatch ? j * width : 0;
            if (!closesBatch) {
                System.arraycopy(state, j * width, weightAfter, 0, width);
            }
            for (int k = 0; k < logitsCount; k++) {
                final double g = batch == 1 ? gradient[k] * values[j] : open[pendingAt + k] / batch;
                optimizer.step(after, off + k * spl, g, eta, l1, l2);
            }
            requireFinite(after, off, width, "weight");
        }
        final double lossSum = model.lossSum() + importance * logLoss;
        final double correctWeight = model.correctWeight() + (predicted == y ? importance : 0.0);
        if (!Double.isFinite(weightSum) || !Double.isFinite(lossSum)) {
            // an importance near Double.MAX_VALUE: the sums would stay infinite forever
            throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW, "the progressive metrics' importance-"
                    + "weighted sums would overflow (importance " + importance + "); the model is left unchanged");
        }

        // checked: written
        final int pendingCount = closesBatch ? 0 : logitsCount;
        rows.reserve(optimizer.rowClockLength(clock.length), width, pendingCount);
        for (int j = 0; j < n; j++) {
            final int slot = slotOf[j] >= 0 ? slotOf[j] : rows.add(x.indexAt(j));
            writeRow(rows, slot, t, clock.length, j, width, pendingCount);
        }
        model.commitStep(t, nextClock, bias, logitsCount, biasSteps, pendingCount, weightSum, lossSum, correctWeight,
                addedLabel, y);
    }

    /** Writes feature {@code j}'s computed row into its slot and marks it dirty. */
    private void writeRow(final ModelRows rows, final int slot, final long t, final int clockLength, final int j,
                          final int width, final int pendingCount) {
        final int at = j * STATISTICS;
        // a field a row uses for the first time re-lays the rows: before the row's base is taken
        if (statistics[at] != 0 || statistics[at + 1] != 0) {
            rows.reserveStatistics(false);
        }
        if (!Double.isNaN(statistics[at + 2])) {
            rows.reserveStatistics(true);
        }
        final double[] data = rows.data;
        final int base = slot * rows.stride;
        rows.setStep(slot, t);
        final int clockAt = base + rows.clockAt;
        for (int c = 0; c < rows.clockWidth; c++) {
            data[clockAt + c] = c < clockLength ? nextClock[c] : 0.0;
        }
        if (rows.statistics) {
            data[base + rows.seenAt] = statistics[at];
            data[base + rows.seenAt + 1] = statistics[at + 1];
        }
        if (rows.standardized) {
            data[base + rows.meanAt] = statistics[at + 2];
            data[base + rows.meanAt + 1] = statistics[at + 3];
        }
        System.arraycopy(state, j * width, data, base + rows.slotsAt, width);
        if (pendingCount > 0) {
            System.arraycopy(open, j * pendingCount, data, base + rows.pendingAt + 1, pendingCount);
        }
        rows.setLengths(slot, width, pendingCount);
        rows.markSlotDirty(slot);
    }

    /**
     * Scores {@code x} with the model's current weights, reading only the rows of {@code x}.
     * The probabilities are then {@link #probability(int)}, the logits {@link #logit(int)}.
     *
     * @return the index of the most probable class (the first on ties)
     * @throws RejectedInputException {@link RejectReason#NUMERIC_OVERFLOW} if a logit is not finite
     */
    public int predict(final ModelState model, final SparseVector x, final ModelRows rows) {
        final ModelSettings s = model.settings();
        final int logitsCount = model.logits();
        final long now = model.steps();
        final long examples = model.version();
        final int n = x.size();
        reserve(n, logitsCount, logitsCount * s.optimizer().slotsPerLogit());
        // the lookups first, side by side, as in a step
        for (int j = 0; j < n; j++) {
            slotOf[j] = rows.slotOf(x.indexAt(j));
        }
        rows.touch(slotOf, n);
        final double[] modelBias = model.biasView();
        if (s.optimizer() == Optimizer.RLS) {
            for (int k = 0; k < logitsCount; k++) {
                logits[k] = k < modelBias.length ? modelBias[k] : 0.0;
            }
            for (int j = 0; j < n; j++) {
                final int slot = slotOf[j];
                if (slot < 0) {
                    continue;
                }
                final double xj = transformed(s, x.valueAt(j), rows, slot, examples);
                final double[] data = rows.data;
                final int base = slot * rows.stride + rows.slotsAt;
                final int stored = (int) data[base + 1];
                for (int k = 0; k < logitsCount; k++) {
                    logits[k] += (k < stored ? data[base + 2 + k] : 0.0) * xj;
                }
            }
        } else {
            final CoordinateOptimizer optimizer = model.coordinateOptimizer();
            final int spl = optimizer.slotsPerLogit();
            final double l1 = s.l1();
            final double l2 = s.l2();
            for (int k = 0; k < logitsCount; k++) {
                logits[k] = optimizer.served(modelBias, k * spl, now, 0, 0);
            }
            for (int j = 0; j < n; j++) {
                final int slot = slotOf[j];
                if (slot < 0) {
                    continue;
                }
                final double xj = transformed(s, x.valueAt(j), rows, slot, examples);
                final int off = servedState(model, optimizer, rows, slot, logitsCount);
                for (int k = 0; k < logitsCount; k++) {
                    logits[k] += optimizer.served(source, off + k * spl, now, l1, l2) * xj;
                }
            }
        }
        requireFinite(logits, 0, logitsCount, "logit");
        logitCount = logitsCount;
        classCount = model.loss().probabilities(logits, logitsCount, probabilities);
        predicted = Loss.predicted(probabilities, classCount);
        version = examples;
        addedLabel = null;
        return predicted;
    }

    /**
     * The weight of each logit the model serves now from the row at {@code slot}, in the
     * normalised units the model learns in (allocates: for exports and the weights endpoint).
     */
    double[] servedWeights(final ModelState model, final ModelRows rows, final int slot) {
        final int logitsCount = model.logits();
        final double[] w = new double[logitsCount];
        if (model.settings().optimizer() == Optimizer.RLS) {
            final double[] data = rows.data;
            final int base = slot * rows.stride + rows.slotsAt;
            final int stored = (int) data[base + 1];
            for (int k = 0; k < logitsCount; k++) {
                w[k] = k < stored ? data[base + 2 + k] : 0.0;
            }
            return w;
        }
        final CoordinateOptimizer optimizer = model.coordinateOptimizer();
        final ModelSettings s = model.settings();
        reserve(1, logitsCount, logitsCount * optimizer.slotsPerLogit());
        final int off = servedState(model, optimizer, rows, slot, logitsCount);
        for (int k = 0; k < logitsCount; k++) {
            w[k] = optimizer.served(source, off + k * optimizer.slotsPerLogit(), model.steps(), s.l1(), s.l2());
        }
        return w;
    }

    /** The array {@link #servedState} points into. */
    private double[] source;

    /**
     * Points {@link #source} at a row's state as the model serves it now, to read only, and
     * returns the offset: the stored numbers themselves when there is nothing to catch up (FTRL,
     * an unpenalised SGD or AdaGrad, or a row written at the model's step), a caught-up copy
     * otherwise. Saves a copy per feature when scoring.
     */
    private int servedState(final ModelState model, final CoordinateOptimizer optimizer, final ModelRows rows,
                            final int slot, final int logitsCount) {
        final boolean asStored = rows.pendingLength(slot) == 0
                && (!optimizer.decaysWhenAbsent() || rows.step(slot) / model.settings().batchSize() >= model.steps())
                && rows.slotLength(slot) == logitsCount * optimizer.slotsPerLogit();
        if (asStored) {
            source = rows.data;
            return slot * rows.stride + rows.slotsAt;
        }
        caughtUp(model, optimizer, rows, slot, logitsCount, state, 0);
        source = state;
        return 0;
    }

    /** The index of the last example's label among the model's classes (after the step). */
    public int labelIndex() {
        return labelIndex;
    }

    /** The log loss of the last progressive prediction. */
    public double logLoss() {
        return logLoss;
    }

    /** The most probable class of the last prediction (the first on ties). */
    public int predicted() {
        return predicted;
    }

    /** Whether the last progressive prediction was right. */
    public boolean correct() {
        return predicted == labelIndex;
    }

    /** The number of classes of the last prediction. */
    public int classCount() {
        return classCount;
    }

    /** The probability of class {@code k} in the last prediction. */
    public double probability(final int k) {
        return probabilities[k];
    }

    /** Copies the last prediction's probabilities into {@code out} (at least {@link #classCount()} long). */
    public void probabilities(final double[] out) {
        System.arraycopy(probabilities, 0, out, 0, classCount);
    }

    /** The number of logits of the last prediction: 1 for binary models, one per class for softmax. */
    public int logitCount() {
        return logitCount;
    }

    /** Logit {@code k} of the last prediction. */
    public double logit(final int k) {
        return logits[k];
    }

    /** The last prediction as a {@link ModelOutput} (allocates), with the model's classes then. */
    ModelOutput output(final ModelState model) {
        // after learn, the classes include a label the step added, as the prediction's did
        final List<String> classes = List.copyOf(model.classes());
        final double logit = model.settings().type() == ModelType.BINARY ? logits[0] : Double.NaN;
        return new ModelOutput(classes, Arrays.copyOf(probabilities, classCount), predicted, logit, version,
                Arrays.copyOf(logits, logitCount));
    }

    private void keep(final ModelOutput progressive, final int y, final double loss) {
        final double[] p = progressive.probabilities();
        final double[] z = progressive.logits();
        reserve(0, Math.max(p.length, z.length), 0);
        System.arraycopy(p, 0, probabilities, 0, p.length);
        System.arraycopy(z, 0, logits, 0, z.length);
        classCount = p.length;
        logitCount = z.length;
        predicted = progressive.predicted();
        version = progressive.version();
        labelIndex = y;
        logLoss = loss;
    }

    /**
     * A row's optimizer state widened to {@code logitsCount} and caught up to the model's step,
     * into {@code into} from {@code off}: the step of a closed mini-batch its gradient is pending
     * for, then the regularisation of the steps since.
     */
    private void caughtUp(final ModelState model, final CoordinateOptimizer optimizer, final ModelRows rows,
                          final int slot, final int logitsCount, final double[] into, final int off) {
        final ModelSettings s = model.settings();
        final int spl = optimizer.slotsPerLogit();
        final int width = logitsCount * spl;
        final int batch = s.batchSize();
        final long now = model.steps();
        final int length = rows.slotLength(slot);
        final int copied = Math.min(length, width);
        final double[] from = rows.data;
        final int row = slot * rows.stride;
        final int base = row + rows.slotsAt;
        for (int i = 0; i < copied; i++) {
            into[off + i] = from[base + i];
        }
        for (int i = copied; i < width; i++) {
            into[off + i] = 0.0;
        }
        final int pendingCount = rows.pendingLength(slot);
        if (pendingCount == 0 && optimizer.catchUpIsIdentity()) {
            return;
        }
        final int stored = Math.min(logitsCount, length / spl);
        final long step = rows.step(slot);
        long rowStep = pendingCount == 0 ? step / batch : (step - 1) / batch;
        final int clockWidth = rows.clockWidth;
        System.arraycopy(from, row + rows.clockAt, rowClock, 0, clockWidth);
        if (pendingCount > 0 && rowStep < now) {
            rowStep++;
            final double eta = optimizer.stepSize(rowStep);
            final int pendingAt = row + rows.pendingAt + 1;
            for (int k = 0; k < pendingCount; k++) {
                optimizer.step(into, off + k * spl, from[pendingAt + k] / batch, eta, s.l1(), s.l2());
            }
            optimizer.advanceClock(rowClock, 0, eta);
        }
        final int caught = Math.max(stored, pendingCount);
        for (int k = 0; k < caught; k++) {
            optimizer.catchUp(into, off + k * spl, rowStep, rowClock, 0, now, model.clockView());
        }
    }

    /**
     * The gradient a row has summed in the mini-batch still open at step {@code now}, widened to
     * {@code logitsCount}, into {@code into} from {@code off}, to add this example's to.
     */
    private static void openBatchGradient(final ModelSettings s, final ModelRows rows, final int slot, final long now,
                                          final int logitsCount, final double[] into, final int off) {
        final int count = slot < 0 ? 0 : rows.pendingLength(slot);
        final boolean isOpen = count > 0 && (rows.step(slot) - 1) / s.batchSize() == now;
        final int copied = isOpen ? Math.min(count, logitsCount) : 0;
        if (copied > 0) {
            System.arraycopy(rows.data, slot * rows.stride + rows.pendingAt + 1, into, off, copied);
        }
        Arrays.fill(into, off + copied, off + logitsCount, 0.0);
    }

    /**
     * The value a feature enters learning with, in the example after {@code examples}, from its
     * row in {@code rows} ({@code slot} -1 when the feature is new); its statistics, this value
     * included, go into {@code stats} from {@code at} ({@link OnlineLogisticRegression#learnedValue}).
     */
    private static double learnedValue(final ModelSettings s, final ModelRows rows, final int slot, final double xj,
                                       final long examples, final int index, final double[] stats, final int at) {
        if (slot < 0) {
            return OnlineLogisticRegression.learnedValue(s, false, 0, 0, false, 0.0, 0.0, xj, examples, index, stats,
                    at);
        }
        return OnlineLogisticRegression.learnedValue(s, true, rows.seen(slot), rows.sumSquares(slot),
                rows.standardizedAt(slot, examples), rows.mean(slot), rows.squaredDeviations(slot), xj, examples,
                index, stats, at);
    }

    /** The value the model scores, for a feature whose row is at {@code slot}, at version {@code now}. */
    private static double transformed(final ModelSettings s, final double value, final ModelRows rows, final int slot,
                                      final long now) {
        if (!s.normalize()) {
            return value;
        }
        final double seen = rows.seen(slot);
        if (rows.standardizedAt(slot, now)) {
            return OnlineLogisticRegression.standardized(value, rows.mean(slot),
                    seen > 0 ? Math.sqrt(rows.squaredDeviations(slot) / seen) : 0.0);
        }
        return OnlineLogisticRegression.scaled(value, seen > 0 ? Math.sqrt(rows.sumSquares(slot) / seen) : 0.0);
    }

    /** Grows the buffers to {@code features} features of {@code logitsCount} logits and {@code width} slots each. */
    private void reserve(final int features, final int logitsCount, final int width) {
        if (logits.length < logitsCount + 1) {
            final int size = Math.max(logitsCount + 1, 2 * logits.length);
            logits = new double[size];
            probabilities = new double[size];
            iterateLogits = new double[size];
            iterateProbabilities = new double[size];
            gradient = new double[size];
            biasGradient = new double[size];
        }
        if (bias.length < width) {
            final int size = Math.max(width, 2 * bias.length);
            bias = new double[size];
            biasAfter = new double[size];
            weightAfter = new double[size];
        }
        if (slotOf.length < features) {
            final int size = Math.max(features, 2 * slotOf.length);
            slotOf = new int[size];
            values = new double[size];
            statistics = new double[size * STATISTICS];
        }
        if (state.length < features * width) {
            state = new double[Math.max(features * width, 2 * state.length)];
        }
        if (open.length < features * logitsCount) {
            open = new double[Math.max(features * logitsCount, 2 * open.length)];
        }
    }

    static void requireFinite(final double[] values, final int from, final int length, final String what) {
        // v * 0 is 0 for every finite v and NaN otherwise: one branch for the whole range
        double zero = 0.0;
        for (int i = from; i < from + length; i++) {
            zero += values[i] * 0.0;
        }
        if (zero != 0.0) {
            for (int i = from; i < from + length; i++) {
                final double v = values[i];
                if (!Double.isFinite(v)) {
                    throw new RejectedInputException(RejectReason.NUMERIC_OVERFLOW,
                            "the step would make a " + what + " " + v + "; the model is left unchanged");
                }
            }
        }
    }
}
