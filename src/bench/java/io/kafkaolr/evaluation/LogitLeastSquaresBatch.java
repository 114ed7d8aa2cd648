package io.kafkaolr.evaluation;

import io.kafkaolr.offline.CsvDataset;

/**
 * A closed-form reference: least squares on clipped logit labels. Labels become 0/1 targets (for two
 * classes one target, whether the row is of the second class; for more, one indicator per class,
 * one-vs-rest), clipped to {@code [eps, 1 - eps]} and mapped to {@code t = log(y / (1 - y))}; then
 * {@code w = (X'X + n lambda D)^-1 X't} on the standardised design matrix with an intercept column
 * ({@code D} the identity with a zero for the intercept, so it is not penalised; {@code lambda} per
 * training row, as in {@link BatchOptimum}). Probabilities are {@code sigmoid(z)} for two classes and
 * {@code softmax(z_1..z_k)} for more. {@code eps} and {@code lambda} are chosen together by 5-fold
 * cross-validation on the training log loss, as in {@link BatchOptimum}. Plain Cholesky solve.
 */
public final class LogitLeastSquaresBatch {
    /** The label clippings tried. */
    static final double[] EPS = {1e-3, 1e-2, 0.05, 0.1, 0.2, 0.3};

    private LogitLeastSquaresBatch() {
    }

    /** The cross-validated, refit least-squares logit fit, scored on {@code test}. */
    public static BatchOptimum.Result fit(final CsvDataset train, final CsvDataset test) {
        final long start = System.nanoTime();
        final Design design = Design.of(train);
        final int k = design.classes.size();
        final double[][] raw = design.raw(train);
        final int[] y = design.labels(train);
        final int n = y.length;
        final double[] grid = Design.lambdaGrid();

        final double[][] loss = new double[grid.length][EPS.length];
        for (final Design.Fold fold : Design.folds(raw, y)) {
            final double[][] x = withIntercept(fold.keptX());
            final int[] keptY = fold.keptY();
            final double[][] gram = gram(x);
            final double[][] heldX = withIntercept(fold.heldX());
            final int[] heldY = fold.heldY();
            for (int l = 0; l < grid.length; l++) {
                final double[][] chol = cholesky(penalised(gram, grid[l] * x.length));
                for (int e = 0; e < EPS.length; e++) {
                    final double[][] w = solve(chol, xtT(x, targets(keptY, k, EPS[e])));
                    loss[l][e] += Design.logLossSum(logits(w, heldX, k), heldY);
                }
            }
        }
        int bestL = 0;
        int bestE = 0;
        for (int l = 0; l < grid.length; l++) {
            for (int e = 0; e < EPS.length; e++) {
                if (loss[l][e] < loss[bestL][bestE]) {
                    bestL = l;
                    bestE = e;
                }
            }
        }
        final double lambda = grid[bestL];
        final double eps = EPS[bestE];

        final Design.Scaler scaler = Design.Scaler.fit(raw);
        final double[][] x = withIntercept(scaler.apply(raw));
        final long fitStart = System.nanoTime();
        final double[][] a = penalised(gram(x), lambda * n);
        final double[][] b = xtT(x, targets(y, k, eps));
        final double[][] w = solve(cholesky(a), b);
        final double fitSeconds = (System.nanoTime() - fitStart) / 1e9;

        final double[][] testLogits = logits(w, withIntercept(scaler.apply(design.raw(test))), k);
        final int[] testY = design.labels(test);
        int nonZero = 0;
        int count = 0;
        for (int j = 0; j < w.length - 1; j++) {
            for (int c = 0; c < w[j].length; c++) {
                count++;
                nonZero += w[j][c] != 0.0 ? 1 : 0;
            }
        }
        final double residual = residual(a, w, b);
        return new BatchOptimum.Result("logit-least-squares", design.classes, n, testY.length, design.width(),
                lambda, eps, loss[bestL][bestE] / n, Design.logLoss(testLogits, testY),
                Design.accuracy(testLogits, testY), k == 2 ? Design.auc(testLogits, testY) : Double.NaN, nonZero, count,
                residual, residual < BatchOptimum.CONVERGED_GRADIENT_NORM, fitSeconds,
                (System.nanoTime() - start) / 1e9);
    }

    /** Rows with a trailing 1 for the intercept. */
    static double[][] withIntercept(final double[][] x) {
        final double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = java.util.Arrays.copyOf(x[i], x[i].length + 1);
            out[i][x[i].length] = 1.0;
        }
        return out;
    }

    /** Logit targets, one column for two classes (class 1 or not), one per class otherwise. */
    static double[][] targets(final int[] y, final int k, final double eps) {
        final int m = k == 2 ? 1 : k;
        final double high = Math.log((1 - eps) / eps);
        final double[][] t = new double[y.length][m];
        for (int i = 0; i < y.length; i++) {
            for (int c = 0; c < m; c++) {
                final int cls = k == 2 ? 1 : c;
                t[i][c] = y[i] == cls ? high : -high;
            }
        }
        return t;
    }

    /** One logit per class and row: for two classes (0, z), otherwise the k fitted logits. */
    static double[][] logits(final double[][] w, final double[][] x, final int k) {
        final int m = w[0].length;
        final double[][] z = new double[x.length][k];
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < m; c++) {
                double s = 0;
                for (int j = 0; j < x[i].length; j++) {
                    s += x[i][j] * w[j][c];
                }
                z[i][k == 2 ? 1 : c] = s;
            }
        }
        return z;
    }

    static double[][] gram(final double[][] x) {
        final int p = x[0].length;
        final double[][] a = new double[p][p];
        for (final double[] row : x) {
            for (int r = 0; r < p; r++) {
                final double v = row[r];
                if (v != 0.0) {
                    for (int c = 0; c <= r; c++) {
                        a[r][c] += v * row[c];
                    }
                }
            }
        }
        for (int r = 0; r < p; r++) {
            for (int c = r + 1; c < p; c++) {
                a[r][c] = a[c][r];
            }
        }
        return a;
    }

    /** {@code a + penalty * D}, the last (intercept) diagonal entry left alone. */
    static double[][] penalised(final double[][] a, final double penalty) {
        final double[][] out = new double[a.length][];
        for (int r = 0; r < a.length; r++) {
            out[r] = a[r].clone();
            if (r < a.length - 1) {
                out[r][r] += penalty;
            }
        }
        return out;
    }

    static double[][] xtT(final double[][] x, final double[][] t) {
        final double[][] b = new double[x[0].length][t[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                for (int c = 0; c < t[i].length; c++) {
                    b[j][c] += x[i][j] * t[i][c];
                }
            }
        }
        return b;
    }

    /** The lower-triangular L with {@code L L' = a}. */
    static double[][] cholesky(final double[][] a) {
        final int p = a.length;
        final double[][] l = new double[p][p];
        for (int j = 0; j < p; j++) {
            double d = a[j][j];
            for (int s = 0; s < j; s++) {
                d -= l[j][s] * l[j][s];
            }
            if (!(d > 0)) {
                throw new ArithmeticException("matrix not positive definite at column " + j);
            }
            l[j][j] = Math.sqrt(d);
            for (int i = j + 1; i < p; i++) {
                double v = a[i][j];
                for (int s = 0; s < j; s++) {
                    v -= l[i][s] * l[j][s];
                }
                l[i][j] = v / l[j][j];
            }
        }
        return l;
    }

    /** Solves {@code L L' w = b} for every column of {@code b}. */
    static double[][] solve(final double[][] l, final double[][] b) {
        final int p = l.length;
        final int m = b[0].length;
        final double[][] w = new double[p][m];
        for (int c = 0; c < m; c++) {
            final double[] v = new double[p];
            for (int i = 0; i < p; i++) {
                double s = b[i][c];
                for (int j = 0; j < i; j++) {
                    s -= l[i][j] * v[j];
                }
                v[i] = s / l[i][i];
            }
            for (int i = p - 1; i >= 0; i--) {
                double s = v[i];
                for (int j = i + 1; j < p; j++) {
                    s -= l[j][i] * w[j][c];
                }
                w[i][c] = s / l[i][i];
            }
        }
        return w;
    }

    /** |a w - b| / |b| (Frobenius norms). */
    static double residual(final double[][] a, final double[][] w, final double[][] b) {
        double num = 0;
        double den = 0;
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < b[0].length; c++) {
                double s = -b[r][c];
                for (int j = 0; j < a.length; j++) {
                    s += a[r][j] * w[j][c];
                }
                num += s * s;
                den += b[r][c] * b[r][c];
            }
        }
        return Math.sqrt(num / den);
    }

    /** Least-squares lines only, one per shipped dataset (or per dataset named). */
    public static void main(final String[] args) {
        for (final String name : BatchOptimum.datasets(args)) {
            final CsvDataset[] data = BatchOptimum.shipped(name);
            System.out.println(fit(data[0], data[1]).toJson(name));
            System.out.flush();
        }
    }
}
