package io.kafkaolr.evaluation;

import io.kafkaolr.core.Features;
import io.kafkaolr.core.Numerics;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.offline.CsvDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The dense design matrix of a training set and of the sets scored with it: one column per
 * numeric feature, one indicator column per (categorical feature, value) seen in training, and
 * the labels as class indices (classes sorted by name). Missing numeric cells stay NaN until
 * {@link Scaler#apply} replaces them by the training mean. Also the shared pieces of the batch
 * references: folds, standardisation and the test metrics, all computed from logits.
 */
final class Design {
    /** Number of cross-validation folds. */
    static final int FOLDS = 5;

    final List<String> columns;
    final List<String> classes;
    private final List<String> numeric;
    private final Map<String, Integer> indicators;

    private Design(final List<String> numeric, final Map<String, Integer> indicators, final List<String> classes) {
        this.numeric = numeric;
        this.indicators = indicators;
        this.classes = classes;
        final List<String> names = new ArrayList<>(numeric);
        names.addAll(indicators.keySet());
        this.columns = List.copyOf(names);
    }

    static Design of(final CsvDataset train) {
        final List<String> numeric = new ArrayList<>();
        final List<String> categorical = new ArrayList<>();
        for (final Map.Entry<String, Boolean> column : train.columns().entrySet()) {
            (column.getValue() ? numeric : categorical).add(column.getKey());
        }
        final Map<String, Integer> indicators = new LinkedHashMap<>();
        for (final String column : categorical) {
            final TreeSet<String> values = new TreeSet<>();
            for (final CsvDataset.Row row : train.rows()) {
                final String value = row.features().categorical().get(column);
                if (value != null) {
                    values.add(value);
                }
            }
            for (final String value : values) {
                indicators.put(column + "=" + value, numeric.size() + indicators.size());
            }
        }
        final TreeSet<String> classes = new TreeSet<>();
        for (final CsvDataset.Row row : train.rows()) {
            classes.add(row.label());
        }
        if (classes.size() < 2) {
            throw new IllegalArgumentException("the training set has fewer than two classes: " + classes);
        }
        return new Design(List.copyOf(numeric), indicators, List.copyOf(classes));
    }

    int width() {
        return columns.size();
    }

    /** Unscaled rows; a categorical value not seen in training sets no indicator. */
    double[][] raw(final CsvDataset data) {
        final double[][] x = new double[data.rows().size()][width()];
        for (int i = 0; i < x.length; i++) {
            final Features f = data.rows().get(i).features();
            for (int j = 0; j < numeric.size(); j++) {
                final Double v = f.numeric().get(numeric.get(j));
                x[i][j] = v == null ? Double.NaN : v;
            }
            for (final Map.Entry<String, String> c : f.categorical().entrySet()) {
                final Integer j = indicators.get(c.getKey() + "=" + c.getValue());
                if (j != null) {
                    x[i][j] = 1.0;
                }
            }
        }
        return x;
    }

    int[] labels(final CsvDataset data) {
        final int[] y = new int[data.rows().size()];
        for (int i = 0; i < y.length; i++) {
            final String label = data.rows().get(i).label();
            y[i] = classes.indexOf(label);
            if (y[i] < 0) {
                throw new IllegalArgumentException("label '" + label + "' (line " + data.rows().get(i).line()
                        + ") does not occur in the training set");
            }
        }
        return y;
    }

    /** Held-out rows of fold {@code f}: every {@value #FOLDS}-th row (the files are shuffled). */
    static int[] heldOut(final int n, final int f) {
        final int[] rows = new int[(n - f + FOLDS - 1) / FOLDS];
        for (int i = f, k = 0; i < n; i += FOLDS, k++) {
            rows[k] = i;
        }
        return rows;
    }

    /** The rows not held out in fold {@code f}. */
    static int[] kept(final int n, final int f) {
        final int[] rows = new int[n - heldOut(n, f).length];
        for (int i = 0, k = 0; i < n; i++) {
            if (i % FOLDS != f) {
                rows[k++] = i;
            }
        }
        return rows;
    }

    /**
     * One cross-validation fold: the kept rows and the held-out rows, both standardised by the
     * scaler fit on the kept rows.
     */
    record Fold(double[][] keptX, int[] keptY, double[][] heldX, int[] heldY) {
    }

    /** The {@value #FOLDS} folds of {@code raw} and its labels {@code y}, made once for every setting tried. */
    static List<Fold> folds(final double[][] raw, final int[] y) {
        final List<Fold> folds = new ArrayList<>(FOLDS);
        for (int f = 0; f < FOLDS; f++) {
            final int[] kept = kept(y.length, f);
            final int[] held = heldOut(y.length, f);
            final double[][] keptRaw = select(raw, kept);
            final Scaler scaler = Scaler.fit(keptRaw);
            folds.add(new Fold(scaler.apply(keptRaw), select(y, kept), scaler.apply(select(raw, held)),
                    select(y, held)));
        }
        return folds;
    }

    static double[][] select(final double[][] x, final int[] rows) {
        final double[][] out = new double[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            out[k] = x[rows[k]];
        }
        return out;
    }

    static int[] select(final int[] y, final int[] rows) {
        final int[] out = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            out[k] = y[rows[k]];
        }
        return out;
    }

    /** Centres and scales each column by the mean and (population) standard deviation of the rows it is fit on. */
    record Scaler(double[] mean, double[] scale) {
        static Scaler fit(final double[][] x) {
            final int p = x[0].length;
            final double[] mean = new double[p];
            final double[] scale = new double[p];
            for (int j = 0; j < p; j++) {
                double sum = 0;
                int n = 0;
                for (final double[] row : x) {
                    if (!Double.isNaN(row[j])) {
                        sum += row[j];
                        n++;
                    }
                }
                final double m = n == 0 ? 0 : sum / n;
                double ss = 0;
                for (final double[] row : x) {
                    if (!Double.isNaN(row[j])) {
                        ss += (row[j] - m) * (row[j] - m);
                    }
                }
                final double sd = n == 0 ? 0 : Math.sqrt(ss / n);
                mean[j] = m;
                // a column constant in training carries no information: it becomes all zeros
                scale[j] = sd > 0 ? sd : 1.0;
            }
            return new Scaler(mean, scale);
        }

        /** Standardised copy; NaN (missing) becomes 0, the training mean. */
        double[][] apply(final double[][] x) {
            final double[][] out = new double[x.length][];
            for (int i = 0; i < x.length; i++) {
                final double[] row = new double[x[i].length];
                for (int j = 0; j < row.length; j++) {
                    row[j] = Double.isNaN(x[i][j]) ? 0.0 : (x[i][j] - mean[j]) / scale[j];
                }
                out[i] = row;
            }
            return out;
        }
    }

    // ---- metrics, from one logit per class and row (the probabilities are their softmax) ----

    /** Mean of -log softmax(z)_y over the rows; no probability is clipped. */
    static double logLoss(final double[][] logits, final int[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += Numerics.logSumExp(logits[i], logits[i].length) - logits[i][y[i]];
        }
        return sum / y.length;
    }

    /** Sum of -log softmax(z)_y over the rows. */
    static double logLossSum(final double[][] logits, final int[] y) {
        return logLoss(logits, y) * y.length;
    }

    static double accuracy(final double[][] logits, final int[] y) {
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int j = 1; j < logits[i].length; j++) {
                if (logits[i][j] > logits[i][best]) {
                    best = j;
                }
            }
            right += best == y[i] ? 1 : 0;
        }
        return (double) right / y.length;
    }

    /**
     * Exact ROC AUC of class 1 against class 0, scored by z_1 - z_0 (monotone in the probability of
     * class 1): the Mann-Whitney statistic, tied scores counted half (mid-ranks).
     */
    static double auc(final double[][] logits, final int[] y) {
        final double[] score = new double[y.length];
        final boolean[] positive = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            score[i] = logits[i][1] - logits[i][0];
            positive[i] = y[i] == 1;
        }
        return RocAuc.rocAuc(score, positive);
    }

    /** The log grid of L2 strengths per training row: 10^-6 .. 10^2 in steps of 10^(2/3), 13 values. */
    static double[] lambdaGrid() {
        final double[] grid = new double[13];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = Math.pow(10, -6 + 2.0 * i / 3.0);
        }
        return grid;
    }
}
