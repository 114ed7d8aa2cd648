package io.kafkaolr.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.cli.EvaluateCommand;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.OnePassEvaluation;
import io.kafkaolr.offline.ShippedDatasets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes EVALUATION.md: on every shipped dataset, one online pass of every optimizer with its
 * defaults and tuned by progressive validation, against the batch optimum (Smile, L-BFGS),
 * the batch logit least-squares fit, and the best one-pass result of scikit-learn's
 * SGDClassifier ({@code evaluation/sklearn_sgd.py}), all computed in this run.
 */
public final class EvaluationReport {
    static final String COMMAND = "mvn -q -Pbench -DskipTests test-compile exec:java -Dexec.classpathScope=test "
            + "-Dexec.mainClass=io.kafkaolr.evaluation.EvaluationReport";
    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Optimizer DEFAULT_OPTIMIZER = OlrConfig.defaults(Map.of()).modelSettings().optimizer();
    /** The default learner before the normalised adaptive gradient: the new one may lose at most 3% to it. */
    private static final Optimizer PREVIOUS_DEFAULT = Optimizer.FTRL;

    private EvaluationReport() {
    }

    /** One dataset's figures. */
    record DatasetResult(String name, int rows, boolean binary, List<EvaluateCommand.Entry> online,
                         BatchOptimum.Result batch, BatchOptimum.Result leastSquares, JsonNode sklearn) {
        /** Among the learners with settings chosen by progressive validation, the one with the lowest progressive log loss. */
        EvaluateCommand.Entry tuned() {
            return tuned(e -> true);
        }

        EvaluateCommand.Entry tuned(final Predicate<EvaluateCommand.Entry> among) {
            return online.stream().filter(EvaluateCommand.Entry::tuned).filter(among)
                    .min(Comparator.comparingDouble(e -> e.outcome().progressiveLogLoss())).orElseThrow();
        }

        /** The default optimizer with its default settings: what a model gets when nothing is configured. */
        EvaluateCommand.Entry defaultModel() {
            return defaults(DEFAULT_OPTIMIZER);
        }

        /** {@code optimizer} with its default settings. */
        EvaluateCommand.Entry defaults(final Optimizer optimizer) {
            return online.stream().filter(e -> !e.tuned() && e.optimizer() == optimizer).findFirst()
                    .orElseThrow();
        }

        double gap(final double loss) {
            return 100 * (loss - batch.testLogLoss()) / batch.testLogLoss();
        }
    }

    /** Runs everything and writes {@code EVALUATION.md} (or the path given). */
    public static void main(final String[] args) throws Exception {
        final Path out = Path.of(args.length > 0 ? args[0] : "EVALUATION.md");
        final Map<String, JsonNode> sklearn = sklearn();
        final List<DatasetResult> results = new ArrayList<>();
        for (final String name : BatchOptimum.DATASETS) {
            final CsvDataset train = ShippedDatasets.read(name + "/train.csv", null);
            final CsvDataset test = ShippedDatasets.read(name + "/test.csv", train.columns());
            final boolean binary = train.rows().stream().map(CsvDataset.Row::label).distinct().count() == 2;
            System.err.println("evaluating " + name);
            final List<EvaluateCommand.Entry> online = EvaluateCommand.evaluate(
                    binary ? ModelType.BINARY : ModelType.SOFTMAX, null, train, test);
            results.add(new DatasetResult(name, train.rows().size() + test.rows().size(), binary, online,
                    BatchOptimum.fit(train, test), LogitLeastSquaresBatch.fit(train, test), sklearn.get(name)));
        }
        Files.writeString(out, markdown(results, sklearn.isEmpty()));
        System.err.println("wrote " + out.toAbsolutePath());
    }

    /** The JSON report of {@code sklearn_sgd.py} per dataset, or nothing when scikit-learn is not installed. */
    private static Map<String, JsonNode> sklearn() throws IOException, InterruptedException {
        final Map<String, JsonNode> reports = new HashMap<>();
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return reports;
        }
        final Process process = new ProcessBuilder(PYTHON, "evaluation/sklearn_sgd.py")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                final JsonNode report = JSON.readTree(line);
                reports.put(report.get("dataset").asText(), report);
            }
        }
        if (process.waitFor() != 0) {
            System.err.println("sklearn_sgd.py failed (apt-get install -y python3-sklearn); its columns are empty");
            reports.clear();
        }
        return reports;
    }

    private static String markdown(final List<DatasetResult> results, final boolean noSklearn) {
        final StringBuilder md = new StringBuilder();
        md.append("# Evaluation: one online pass against the batch optimum\n\n");
        md.append("Generated by\n\n```sh\n").append(COMMAND).append("\n```\n\n");
        md.append(String.format(Locale.ROOT, "on %s, Java %s; scikit-learn %s. Nothing in this file is typed by hand.%n%n",
                LocalDate.now(), System.getProperty("java.version"),
                noSklearn ? "not installed (apt-get install -y python3-sklearn)"
                        : results.get(0).sklearn().get("sklearn_version").asText()));
        md.append("""
                Each dataset (src/main/resources/datasets, sources and licences in its README) is learned in one
                pass over `train.csv`, in file order, by each optimizer: once with its **defaults** (what a
                model gets when nothing is configured) and once with the settings **chosen by progressive
                validation**: those, among a grid (`OnePassEvaluation.grid`, which includes the defaults),
                whose training pass had the lowest progressive log loss. The test set plays no part in that
                choice. Every model is then scored on `test.csv`.

                References, computed in the same run:
                - **batch optimum**: L2-regularised logistic regression (multinomial for more than two
                  classes) fitted to convergence by Smile's L-BFGS on standardised columns, lambda chosen
                  by 5-fold cross-validation on the training set (`BatchOptimum`);
                - **batch logit least squares**: the closed-form ridge fit on clipped logit labels of
                  docs/MATH.md, eps and lambda chosen the same way (`LogitLeastSquaresBatch`);
                - **scikit-learn**: the best test log loss of one pass of `SGDClassifier(loss="log_loss")`
                  over all its schedules, a grid of eta0 and alpha, L2 and elastic net, averaged or not,
                  on raw and on standardised features (`evaluation/sklearn_sgd.py`). It is chosen on the
                  test set, and standardised with the whole training set's statistics: the most
                  favourable figure scikit-learn can show, not one an online learner could reach the same way.

                The gap is `(test log loss - batch optimum) / batch optimum`.

                """);
        md.append("## Targets\n\n");
        md.append("The tuned one pass is the learner whose pass, with its settings chosen by progressive validation,\n"
                + "had the lowest progressive log loss; the defaults are those of a model configured with nothing ("
                + DEFAULT_OPTIMIZER.name().toLowerCase(Locale.ROOT) + ", features standardised).\n\n");
        md.append("| dataset | rows | tuned learner | tuned one pass <= best scikit-learn one pass | within 10% of batch (>= 3000 rows) | defaults within 25% of batch | defaults within 3% of the previous defaults ("
                + PREVIOUS_DEFAULT.name().toLowerCase(Locale.ROOT) + ") |\n");
        md.append("|---|---:|---|---|---|---|---|\n");
        for (final DatasetResult r : results) {
            final double sk = r.sklearn() == null ? Double.NaN : r.sklearn().at("/best/test_log_loss").asDouble();
            final EvaluateCommand.Entry best = r.tuned();
            final double tuned = best.outcome().testLogLoss();
            final double defaults = r.defaultModel().outcome().testLogLoss();
            final double previous = r.defaults(PREVIOUS_DEFAULT).outcome().testLogLoss();
            final double change = 100 * (defaults - previous) / previous;
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s: %.4f vs %.4g | %s | %s: %.4f (%+.1f%%) | %s: %.4f vs %.4f (%+.1f%%) |%n",
                    r.name(), r.rows(), best.optimizer().name().toLowerCase(Locale.ROOT),
                    Double.isNaN(sk) ? "not run" : tuned <= sk ? "met" : "**not met**", tuned, sk,
                    r.rows() < 3000 ? "n/a" : String.format(Locale.ROOT, "%s: %.4f (%+.1f%%)",
                            r.gap(tuned) <= 10 ? "met" : "**not met**", tuned, r.gap(tuned)),
                    r.gap(defaults) <= 25 ? "met" : "**not met**", defaults, r.gap(defaults),
                    change <= 3 ? "met" : "**not met**", defaults, previous, change));
        }
        md.append("\n## MLE against logit least squares\n\n");
        md.append("Test log loss (accuracy). Batch: the same cross-validation for both. One pass: maximum likelihood\n"
                + "by the gradient learner, and least squares by recursive least squares (`rls`), each with the\n"
                + "settings its progressive validation chose.\n\n");
        md.append("| dataset | batch MLE | batch least squares | better in batch | one-pass MLE | one-pass least squares (rls) | better in one pass |\n");
        md.append("|---|---:|---:|---|---:|---:|---|\n");
        for (final DatasetResult r : results) {
            final OnePassEvaluation.Outcome mle = r.tuned(e -> e.optimizer() != Optimizer.RLS).outcome();
            final OnePassEvaluation.Outcome rls = r.tuned(e -> e.optimizer() == Optimizer.RLS).outcome();
            md.append(String.format(Locale.ROOT, "| %s | %.4f (%.4f) | %.4f (%.4f) | %s | %.4f (%.4f) | %.4f (%.4f) | %s |%n",
                    r.name(), r.batch().testLogLoss(), r.batch().testAccuracy(), r.leastSquares().testLogLoss(),
                    r.leastSquares().testAccuracy(),
                    r.batch().testLogLoss() <= r.leastSquares().testLogLoss() ? "MLE" : "least squares",
                    mle.testLogLoss(), mle.testAccuracy(), rls.testLogLoss(), rls.testAccuracy(),
                    mle.testLogLoss() <= rls.testLogLoss() ? "MLE" : "least squares"));
        }
        for (final DatasetResult r : results) {
            md.append("\n## ").append(r.name()).append(String.format(Locale.ROOT, " (%d rows, %s)%n%n", r.rows(),
                    r.binary() ? "binary" : r.batch().classes().size() + " classes"));
            md.append(EvaluateCommand.table(r.online(), r.binary(), r.batch().testLogLoss()));
            for (final BatchOptimum.Result b : List.of(r.batch(), r.leastSquares())) {
                md.append(String.format(Locale.ROOT, "| batch %s | lambda=%.3g%s | 5-fold CV | | %.4f | %+.1f%% | %.4f |",
                        b.method(), b.lambda(), Double.isNaN(b.eps()) ? "" : String.format(Locale.ROOT, " eps=%.3g", b.eps()),
                        b.testLogLoss(), r.gap(b.testLogLoss()), b.testAccuracy()));
                if (r.binary()) {
                    md.append(String.format(Locale.ROOT, " %.4f |", b.testAuc()));
                }
                md.append(String.format(Locale.ROOT, " %d of %d |%n", b.nonZeroWeights(), b.weights()));
            }
            if (r.sklearn() != null) {
                for (final String which : List.of("best_raw", "best_standardised")) {
                    final JsonNode best = r.sklearn().get(which);
                    if (best == null || best.isNull()) {
                        continue;
                    }
                    final double loss = best.get("test_log_loss").asDouble();
                    md.append(String.format(Locale.ROOT, "| scikit-learn SGD, %s | %s | test set | | %.4g | %+.1f%% | %.4f |",
                            which.equals("best_raw") ? "raw features" : "standardised", describe(best.get("config")),
                            loss, r.gap(loss), best.get("test_accuracy").asDouble()));
                    if (r.binary()) {
                        md.append(String.format(Locale.ROOT, " %.4f |", best.get("test_auc").asDouble()));
                    }
                    md.append(" |\n");
                }
            }
        }
        md.append("\n").append(CrossesEvaluation.section());
        md.append("""

                ## Reading these figures

                - Test sets are small (breast-cancer 113 rows, wine 35): a single confident mistake moves the
                  log loss by several percent. scikit-learn's `log_loss` clips probabilities to [1e-15, 1 - 1e-15];
                  the Java figures are exact.
                - The scikit-learn column is an oracle (best on the test set, over about 1000 settings, with
                  features standardised by the training set's statistics); on wine, `optimal` with a tiny alpha
                  saturates every probability and happens to be right on all 35 test rows.
                - satellite's rows are overlapping 3x3 pixel neighbourhoods: test rows share pixels with
                  training rows (see the datasets README).
                - Standardising dense features online (`olr.model.normalize=standardize`, the default) is what
                  brings one pass close to the batch optimum on dense data: on satellite, whose 36 features lie
                  in 27..157 with a small spread (nearly collinear with the bias), the previous version of this
                  file, whose learners could only scale features, had the defaults at +116.4% and the tuned pass
                  at +56.8%.
                - Choosing among learners by progressive log loss is not choosing by test loss: the tuned
                  learner of the first table is the one whose training pass predicted best, not the one with
                  the lowest test log loss in its dataset's table.
                - The batch optimum sees every training row many times; the one-pass learners see each once.
                  On digits (1,437 training rows for 640 weights) and mnist (8,000 rows for 1,960 weights) one
                  pass has few examples per weight.
                """);
        final long mleBetter = results.stream().filter(r -> r.batch().testLogLoss() <= r.leastSquares().testLogLoss())
                .count();
        md.append(String.format(Locale.ROOT, "- MLE against logit least squares: batch MLE has the lower test log loss "
                + "on %d datasets of %d.%n", mleBetter, results.size()));
        return md.toString();
    }

    private static String describe(final JsonNode config) {
        final StringBuilder text = new StringBuilder(config.get("learning_rate").asText());
        if (!config.get("eta0").isNull()) {
            text.append(" eta0=").append(config.get("eta0").asText());
        }
        text.append(" alpha=").append(config.get("alpha").asText()).append(' ').append(config.get("penalty").asText());
        if (config.get("average").asBoolean()) {
            text.append(" averaged");
        }
        return text.toString();
    }
}
