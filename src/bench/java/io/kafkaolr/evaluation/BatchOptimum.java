package io.kafkaolr.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.core.Numerics;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.ShippedDatasets;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import smile.classification.LogisticRegression;

/**
 * The batch optimum of L2-regularised logistic regression, the reference a one-pass online learner is
 * measured against: binomial logistic regression for two classes, multinomial (softmax) for more,
 * fitted to convergence by Smile's L-BFGS ({@code smile.classification.LogisticRegression}).
 *
 * <p>The design matrix is dense: numeric columns, one indicator per categorical value seen in
 * training, each column standardised with the training set's mean and standard deviation so that
 * one penalty treats every unit alike. The objective minimised is
 * {@code mean log loss + lambda/2 * |w|^2} over the training rows, intercepts not penalised (Smile
 * minimises the sum, with {@code n * lambda}). Smile's multinomial model fixes the logits of the
 * last class (in label order) at zero and penalises the other classes' weights; without penalty
 * this is the same model as a symmetric softmax, with one it is a slightly different prior.
 * {@code lambda} is chosen from {@link Design#lambdaGrid()} by 5-fold cross-validation on the
 * training set (every fifth row, each fold standardised with its own training part), minimising the
 * held-out mean log loss; the model is then refit on the whole training set and scored on the test set.
 *
 * <p>Run alone: one JSON line per shipped dataset and method (this one, then
 * {@link LogitLeastSquaresBatch}); the arguments, if any, name the datasets.
 */
public final class BatchOptimum {
    /** The shipped datasets, in the order printed. */
    public static final List<String> DATASETS = List.of("breast-cancer", "wine", "spam", "digits", "satellite",
            "mpls-stops", "mnist");
    /** Smile's L-BFGS gradient tolerance (relative: max |g_i| max(|w_i|, 1) / max(f, 1)). */
    static final double TOLERANCE = 1e-12;
    /** Smile's L-BFGS iteration limit. */
    static final int MAX_ITERATIONS = 50_000;
    /** Convergence as reported: the 2-norm of the gradient of the mean objective at the returned weights. */
    static final double CONVERGED_GRADIENT_NORM = 1e-6;

    private static final ObjectMapper JSON = new ObjectMapper();

    private BatchOptimum() {
    }

    /**
     * What a batch reference achieves on the test set.
     *
     * @param method {@code "mle"} (this class) or {@code "logit-least-squares"}
     * @param classes the labels, sorted; for two classes the second is the positive one of the AUC
     * @param trainRows training rows
     * @param testRows test rows
     * @param columns design columns (without the intercept)
     * @param lambda the chosen L2 strength per training row
     * @param eps the chosen label clipping of the least-squares fit (NaN for the MLE)
     * @param cvLogLoss the chosen setting's 5-fold cross-validated mean log loss on the training set
     * @param testLogLoss mean log loss on the test set (natural log, from logits)
     * @param testAccuracy accuracy on the test set
     * @param testAuc exact ROC AUC on the test set for two classes, NaN for more
     * @param nonZeroWeights weights (intercepts excluded) that are not exactly zero
     * @param weights weights (intercepts excluded)
     * @param gradientNorm MLE: 2-norm of the gradient of the mean penalised objective at the final weights;
     *     least squares: relative residual |A w - b| / |b| of the normal equations
     * @param converged whether {@code gradientNorm} is below {@value #CONVERGED_GRADIENT_NORM}
     * @param fitSeconds wall time of the final fit on the whole training set
     * @param totalSeconds wall time including the cross-validation and the scoring
     */
    public record Result(String method, List<String> classes, int trainRows, int testRows, int columns,
                         double lambda, double eps, double cvLogLoss, double testLogLoss, double testAccuracy,
                         double testAuc, int nonZeroWeights, int weights, double gradientNorm, boolean converged,
                         double fitSeconds, double totalSeconds) {

        /** One JSON object on one line; NaN is written as null. */
        public String toJson(final String dataset) {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", dataset);
            m.put("method", method);
            m.put("classes", classes);
            m.put("train_rows", trainRows);
            m.put("test_rows", testRows);
            m.put("columns", columns);
            m.put("lambda", number(lambda));
            m.put("eps", number(eps));
            m.put("cv_log_loss", number(cvLogLoss));
            m.put("test_log_loss", number(testLogLoss));
            m.put("test_accuracy", number(testAccuracy));
            m.put("test_auc", number(testAuc));
            m.put("nonzero_weights", nonZeroWeights);
            m.put("weights", weights);
            m.put("gradient_norm", number(gradientNorm));
            m.put("converged", converged);
            m.put("fit_seconds", number(fitSeconds));
            m.put("total_seconds", number(totalSeconds));
            try {
                return JSON.writeValueAsString(m);
            } catch (final JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Double number(final double v) {
            return Double.isFinite(v) ? v : null;
        }
    }

    /** The cross-validated, refit L2-regularised maximum-likelihood logistic regression, scored on {@code test}. */
    public static Result fit(final CsvDataset train, final CsvDataset test) {
        final long start = System.nanoTime();
        final Design design = Design.of(train);
        final int k = design.classes.size();
        final double[][] raw = design.raw(train);
        final int[] y = design.labels(train);
        final int n = y.length;

        final List<Design.Fold> folds = Design.folds(raw, y);
        double bestLambda = Double.NaN;
        double bestCv = Double.POSITIVE_INFINITY;
        for (final double lambda : Design.lambdaGrid()) {
            double loss = 0;
            for (final Design.Fold fold : folds) {
                final double[][] w = weights(fold.keptX(), fold.keptY(), k, lambda);
                loss += Design.logLossSum(logits(w, fold.heldX(), k), fold.heldY());
            }
            final double cv = loss / n;
            if (cv < bestCv) {
                bestCv = cv;
                bestLambda = lambda;
            }
        }

        final Design.Scaler scaler = Design.Scaler.fit(raw);
        final double[][] x = scaler.apply(raw);
        final long fitStart = System.nanoTime();
        final double[][] w = weights(x, y, k, bestLambda);
        final double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        final double gradientNorm = gradientNorm(w, x, y, k, bestLambda);

        final double[][] testLogits = logits(w, scaler.apply(design.raw(test)), k);
        final int[] testY = design.labels(test);
        int nonZero = 0;
        int count = 0;
        for (final double[] row : w) {
            for (int j = 0; j < row.length - 1; j++) {
                count++;
                nonZero += row[j] != 0.0 ? 1 : 0;
            }
        }
        return new Result("mle", design.classes, n, testY.length, design.width(), bestLambda, Double.NaN, bestCv,
                Design.logLoss(testLogits, testY), Design.accuracy(testLogits, testY),
                k == 2 ? Design.auc(testLogits, testY) : Double.NaN, nonZero, count, gradientNorm,
                gradientNorm < CONVERGED_GRADIENT_NORM, fitSeconds, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Smile's fit: one weight row per class whose logit is free (class 1 of two; classes 0..k-2 of k),
     * intercept last.
     */
    static double[][] weights(final double[][] x, final int[] y, final int k, final double lambda) {
        final boolean[] seen = new boolean[k];
        for (final int label : y) {
            seen[label] = true;
        }
        for (int c = 0; c < k; c++) {
            if (!seen[c]) {
                throw new IllegalStateException("class " + c + " is missing from a training fold");
            }
        }
        final double sumLambda = lambda * x.length;
        if (k == 2) {
            return new double[][] {
                LogisticRegression.binomial(x, y, sumLambda, TOLERANCE, MAX_ITERATIONS).coefficients().clone()};
        }
        final double[][] w = LogisticRegression.multinomial(x, y, sumLambda, TOLERANCE, MAX_ITERATIONS)
                .coefficients();
        final double[][] copy = new double[w.length][];
        for (int c = 0; c < w.length; c++) {
            copy[c] = w[c].clone();
        }
        return copy;
    }

    /** One logit per class and row; the reference class (class 0 of two, the last of more) has logit 0. */
    static double[][] logits(final double[][] w, final double[][] x, final int k) {
        final double[][] z = new double[x.length][k];
        for (int i = 0; i < x.length; i++) {
            for (int r = 0; r < w.length; r++) {
                z[i][freeClass(r, k)] = dot(w[r], x[i]);
            }
        }
        return z;
    }

    private static int freeClass(final int row, final int k) {
        return k == 2 ? 1 : row;
    }

    private static double dot(final double[] w, final double[] x) {
        double s = w[x.length];
        for (int j = 0; j < x.length; j++) {
            s += w[j] * x[j];
        }
        return s;
    }

    /** 2-norm of the gradient of mean log loss + lambda/2 |w|^2 (intercepts not penalised) at {@code w}. */
    static double gradientNorm(final double[][] w, final double[][] x, final int[] y, final int k, final double lambda) {
        final int n = x.length;
        final double[][] g = new double[w.length][w[0].length];
        final double[][] z = logits(w, x, k);
        for (int i = 0; i < n; i++) {
            final double lse = Numerics.logSumExp(z[i], z[i].length);
            for (int r = 0; r < w.length; r++) {
                final int c = freeClass(r, k);
                final double err = Math.exp(z[i][c] - lse) - (y[i] == c ? 1.0 : 0.0);
                for (int j = 0; j < x[i].length; j++) {
                    g[r][j] += err * x[i][j] / n;
                }
                g[r][x[i].length] += err / n;
            }
        }
        double ss = 0;
        for (int r = 0; r < w.length; r++) {
            for (int j = 0; j < g[r].length; j++) {
                final double gj = g[r][j] + (j < g[r].length - 1 ? lambda * w[r][j] : 0.0);
                ss += gj * gj;
            }
        }
        return Math.sqrt(ss);
    }

    /** The shipped training and test files of one dataset, the test file read with the training file's column kinds. */
    static CsvDataset[] shipped(final String name) {
        final CsvDataset train = ShippedDatasets.read(name + "/train.csv", null);
        final CsvDataset test = ShippedDatasets.read(name + "/test.csv", train.columns());
        return new CsvDataset[] {train, test};
    }

    static List<String> datasets(final String[] args) {
        return args.length == 0 ? DATASETS : new ArrayList<>(Arrays.asList(args));
    }

    /** Smile logs every L-BFGS run at INFO; only its warnings (such as the iteration limit) are kept. */
    static void quietSmile() {
        System.setProperty("org.slf4j.simpleLogger.log.smile", "warn");
    }

    public static void main(final String[] args) {
        quietSmile();
        for (final String name : datasets(args)) {
            final CsvDataset[] data = shipped(name);
            System.out.println(fit(data[0], data[1]).toJson(name));
            System.out.println(LogitLeastSquaresBatch.fit(data[0], data[1]).toJson(name));
            System.out.flush();
        }
    }
}
