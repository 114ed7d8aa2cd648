package io.kafkaolr.evaluation;

import io.kafkaolr.cli.EvaluateCommand;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Numerics;
import io.kafkaolr.offline.CsvDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The "Feature crosses" section of EVALUATION.md: a seeded synthetic categorical dataset whose
 * label depends on the combination of two columns (country x device), learned in one pass by
 * every optimizer, with its defaults and tuned by progressive validation, without crosses and
 * with {@code country:device}; the log loss of the true probabilities is the floor.
 * {@link EvaluationReport} includes the section; {@link #main} writes it alone into an existing
 * EVALUATION.md (replacing its earlier version), leaving the rest of the file as it is.
 */
public final class CrossesEvaluation {
    static final String COMMAND = "mvn -q -Pbench -DskipTests test-compile exec:java -Dexec.classpathScope=test "
            + "-Dexec.mainClass=io.kafkaolr.evaluation.CrossesEvaluation";
    static final String HEADING = "## Feature crosses";
    private static final String INTERACTIONS = "country:device";
    private static final long SEED = 20261203L;
    private static final int TRAIN_ROWS = 20_000;
    private static final int TEST_ROWS = 10_000;
    private static final int COUNTRIES = 12;
    private static final int DEVICES = 4;
    private static final int HOURS = 6;

    private CrossesEvaluation() {
    }

    /** The generating model: main effects per column and one effect per (country, device). */
    private record Truth(double bias, double[] country, double[] device, double[] hour, double[][] cross) {
        static Truth draw(final Random random) {
            final double[] country = gaussians(random, COUNTRIES, 0.5);
            final double[] device = gaussians(random, DEVICES, 0.5);
            final double[] hour = gaussians(random, HOURS, 0.3);
            final double[][] cross = new double[COUNTRIES][];
            for (int c = 0; c < COUNTRIES; c++) {
                cross[c] = gaussians(random, DEVICES, 1.5);
            }
            return new Truth(-0.5, country, device, hour, cross);
        }

        double logit(final int c, final int d, final int h) {
            return bias + country[c] + device[d] + hour[h] + cross[c][d];
        }
    }

    private static double[] gaussians(final Random random, final int n, final double sd) {
        final double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = sd * random.nextGaussian();
        }
        return out;
    }

    /** Rows drawn from {@code truth}, and the mean log loss of the true probabilities on them. */
    private record Drawn(CsvDataset data, double trueLogLoss) {
    }

    private static Drawn draw(final Truth truth, final Random random, final int n) {
        final List<CsvDataset.Row> rows = new ArrayList<>(n);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            final int c = random.nextInt(COUNTRIES);
            final int d = random.nextInt(DEVICES);
            final int h = random.nextInt(HOURS);
            final double z = truth.logit(c, d, h);
            final boolean positive = random.nextDouble() < Numerics.sigmoid(z);
            loss += positive ? Numerics.softplus(-z) : Numerics.softplus(z);
            final Map<String, String> categorical = new LinkedHashMap<>();
            categorical.put("country", "c" + c);
            categorical.put("device", "d" + d);
            categorical.put("hour", "h" + h);
            rows.add(new CsvDataset.Row(new Features(Map.of(), categorical), positive ? "1" : "0", i + 2));
        }
        final Map<String, Boolean> columns = new LinkedHashMap<>();
        columns.put("country", false);
        columns.put("device", false);
        columns.put("hour", false);
        return new Drawn(new CsvDataset(columns, rows), loss / n);
    }

    /** The section, figures computed now. */
    static String section() {
        final Random random = new Random(SEED);
        final Truth truth = Truth.draw(random);
        final Drawn train = draw(truth, random, TRAIN_ROWS);
        final Drawn test = draw(truth, random, TEST_ROWS);
        System.err.println("evaluating feature crosses: without");
        final List<EvaluateCommand.Entry> without = EvaluateCommand.evaluate(ModelType.BINARY, null, null,
                train.data(), test.data());
        System.err.println("evaluating feature crosses: with " + INTERACTIONS);
        final List<EvaluateCommand.Entry> with = EvaluateCommand.evaluate(ModelType.BINARY, null, INTERACTIONS,
                train.data(), test.data());
        final StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n");
        md.append("Generated by\n\n```sh\n").append(COMMAND).append("\n```\n\n");
        md.append(String.format(Locale.ROOT, "on %s, Java %s (and by the command at the top of this file).%n%n",
                LocalDate.now(), System.getProperty("java.version")));
        md.append(String.format(Locale.ROOT, """
                A synthetic categorical dataset, drawn in `CrossesEvaluation` with seed %d: three columns,
                `country` (%d values), `device` (%d) and `hour` (%d), uniform and independent; the label is
                1 with probability `sigmoid(-0.5 + a[country] + b[device] + c[hour] + w[country][device])`,
                main effects `a`, `b` ~ N(0, 0.5²), `c` ~ N(0, 0.3²) and one effect per (country, device)
                `w` ~ N(0, 1.5²), drawn once. %,d training rows, %,d test rows. Each optimizer learns the
                training rows in one pass, with its defaults and with the settings its progressive validation
                chose (as above), without crosses (one-hot columns only) and with `%s`
                (`olr.model.interactions`, `--interactions`: a feature `country=...*device=...` for each
                pair). No linear model of the one-hot columns alone can represent `w`; the crossed model can.
                The floor is the log loss of the true probabilities: %.4f on the training rows, %.4f on the
                test rows.

                """, SEED, COUNTRIES, DEVICES, HOURS, TRAIN_ROWS, TEST_ROWS, INTERACTIONS, train.trueLogLoss(),
                test.trueLogLoss()));
        md.append("| learner | chosen by | progressive log loss, no crosses | progressive log loss, crosses |"
                + " test log loss, no crosses | test log loss, crosses | test AUC, no crosses | test AUC, crosses |"
                + " settings with crosses |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (int i = 0; i < without.size(); i++) {
            final EvaluateCommand.Entry a = without.get(i);
            final EvaluateCommand.Entry b = with.get(i);
            md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %s |%n",
                    a.optimizer().name().toLowerCase(Locale.ROOT), a.tuned() ? "progressive validation" : "defaults",
                    a.outcome().progressiveLogLoss(), b.outcome().progressiveLogLoss(), a.outcome().testLogLoss(),
                    b.outcome().testLogLoss(), a.outcome().testAuc(), b.outcome().testAuc(), b.outcome().describe()));
        }
        md.append(String.format(Locale.ROOT, "| true probabilities | | %.4f | | %.4f | | | | |%n",
                train.trueLogLoss(), test.trueLogLoss()));
        return md.toString();
    }

    /** Writes the section into EVALUATION.md (or the path given), in place of its earlier version. */
    public static void main(final String[] args) throws Exception {
        final Path out = Path.of(args.length > 0 ? args[0] : "EVALUATION.md");
        final String file = Files.readString(out);
        Files.writeString(out, withSection(file, section()));
        System.err.println("wrote " + out.toAbsolutePath());
    }

    /**
     * {@code file} with {@code section} in place of its "Feature crosses" section, or before
     * "Reading these figures" when it has none.
     */
    static String withSection(final String file, final String section) {
        final int start = file.indexOf(HEADING + "\n");
        if (start >= 0) {
            final int next = file.indexOf("\n## ", start + HEADING.length());
            return file.substring(0, start) + section + (next < 0 ? "" : file.substring(next));
        }
        final int reading = file.indexOf("## Reading these figures");
        return reading < 0 ? file + "\n" + section : file.substring(0, reading) + section + "\n" + file.substring(reading);
    }
}
