package io.kafkaolr.cli;

import io.kafkaolr.avro.Prediction;
import io.kafkaolr.core.Numerics;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.offline.LearningCurve;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What {@code olr demo} reports, in three forms: the learning curve as a CSV file and a PNG plot
 * in the output directory, and a summary on the console (the curve's table, the test set's log
 * loss, accuracy and ROC AUC, whether {@code olr replay} agrees, a few predictions, where the
 * files are). {@link #learningCurve} comes first, {@link #testSet} last: it ends with the files'
 * paths.
 */
final class DemoReport {
    /** The test rows' predictions with their true labels, in the test set's order. */
    record Evaluation(List<Prediction> predictions, List<String> labels) {
    }

    private final Path out;
    private final PrintWriter say;
    private final PrintWriter err;
    private Path csv;
    private String plot;

    /**
     * @param out the directory the CSV file and the plot go to
     * @param say the console
     * @param err where a plot that cannot be drawn is reported
     */
    DemoReport(final Path out, final PrintWriter say, final PrintWriter err) {
        this.out = out;
        this.say = say;
        this.err = err;
    }

    /** Writes {@code curve} as CSV and as a PNG plot, and prints about ten of its points. */
    void learningCurve(final LearningCurve curve) throws IOException {
        final int window = curve.window();
        final List<LearningCurve.Point> points = curve.points();
        Files.createDirectories(out);
        csv = out.resolve("progressive-log-loss.csv");
        final StringBuilder lines = new StringBuilder("examples,progressive_log_loss,progressive_log_loss_last_"
                + window + "\n");
        for (final LearningCurve.Point point : points) {
            lines.append(String.format(Locale.ROOT, "%d,%.6f,%.6f%n", point.version(), point.meanLogLoss(),
                    point.recentLogLoss()));
        }
        Files.writeString(csv, lines);
        plot = plot(points, window);

        say.println();
        say.println("Progressive validation (each example predicted before it is learned), as committed by the "
                + "processor:");
        say.println("  examples  mean log loss so far  mean over the latest " + window);
        // about ten rows, and always the last: the model as it ends
        final int every = Math.max(1, points.size() / 10);
        for (int i = 0; i < points.size(); i++) {
            if (i % every == 0 || i == points.size() - 1) {
                final LearningCurve.Point p = points.get(i);
                say.printf(Locale.ROOT, "  %8d  %20.4f  %22.4f%n", p.version(), p.meanLogLoss(), p.recentLogLoss());
            }
        }
    }

    /**
     * Prints the test set's log loss, accuracy and ROC AUC, whether {@code olr replay} predicted
     * the same ({@code sameAsReplay}), the first five predictions, and where the curve's files are.
     */
    void testSet(final Evaluation evaluation, final boolean sameAsReplay) {
        final List<Prediction> predictions = evaluation.predictions();
        final List<String> labels = evaluation.labels();
        double loss = 0;
        int correct = 0;
        final double[] scores = new double[predictions.size()];
        final boolean[] positive = new boolean[predictions.size()];
        for (int i = 0; i < predictions.size(); i++) {
            final Prediction p = predictions.get(i);
            final int y = labels.get(i).equals("1") ? 1 : 0;
            loss += Numerics.binaryLogLoss(p.getLogit(), y);
            correct += p.getPredictedLabel().equals(labels.get(i)) ? 1 : 0;
            scores[i] = p.getProbabilities().get("1");
            positive[i] = y == 1;
        }
        final int n = predictions.size();
        say.printf(Locale.ROOT, "%nTest set (%d events scored by model version %d):%n", n,
                predictions.get(0).getModelVersion());
        say.printf(Locale.ROOT, "  log loss %.4f   accuracy %.4f   ROC AUC %.4f%n", loss / n, (double) correct / n,
                RocAuc.rocAuc(scores, positive));
        say.printf(Locale.ROOT, "  identical to 'olr replay' on the same rows: %s%n",
                sameAsReplay ? "yes, to the bit" : "NO");
        say.println();
        say.println("A few predictions (label 1 = malignant):");
        Stream.of(0, 1, 2, 3, 4).filter(i -> i < n).forEach(i -> {
            final Prediction p = predictions.get(i);
            say.printf(Locale.ROOT, "  %-10s true %s  predicted %s  P(0)=%.3f P(1)=%.3f%n", p.getEventId(),
                    labels.get(i), p.getPredictedLabel(), p.getProbabilities().get("0"), p.getProbabilities().get("1"));
        });
        say.println();
        say.println("Curve: " + csv.toAbsolutePath() + (plot == null ? "" : "\nPlot:  " + plot));
        say.flush();
    }

    /** Writes the curve as a PNG; null when this machine cannot render (no fonts, say): the CSV remains. */
    private String plot(final List<LearningCurve.Point> points, final int window) {
        try {
            System.setProperty("java.awt.headless", "true");
            final XYChart chart = new XYChartBuilder().width(900).height(520)
                    .title("kafka-olr: progressive log loss, breast-cancer (one online pass)")
                    .xAxisTitle("examples learned").yAxisTitle("log loss").build();
            final double[] x = points.stream().mapToDouble(LearningCurve.Point::version).toArray();
            chart.addSeries("mean so far", x, points.stream().mapToDouble(LearningCurve.Point::meanLogLoss).toArray())
                    .setMarker(SeriesMarkers.NONE);
            chart.addSeries("mean over the latest " + window, x,
                    points.stream().mapToDouble(LearningCurve.Point::recentLogLoss).toArray())
                    .setMarker(SeriesMarkers.NONE);
            final Path png = out.resolve("progressive-log-loss.png");
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
            return png.toAbsolutePath().toString();
        } catch (final Exception | LinkageError e) {
            err.println("no plot (" + e + "); the curve is in the CSV file");
            return null;
        }
    }
}
