package io.kafkaolr.offline;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.Normalization;
import io.kafkaolr.core.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One online pass over a training set, scored on a test set, and the choice of settings by
 * progressive validation alone: the tuned settings are those with the lowest progressive log
 * loss on the training pass; the test set plays no part in the choice.
 */
public final class OnePassEvaluation {
    private static final double[] RATES = {0.003, 0.01, 0.03, 0.1, 0.3, 1, 3};
    private static final double[] PENALTIES = {0, 1e-5, 1e-4, 1e-3};
    private static final double[] FTRL_PENALTIES = {0, 0.1, 1};
    private static final double[] RIDGES = {0.01, 0.1, 1, 10, 100};
    private static final double[] LABEL_CLIPS = {0.01, 0.05, 0.1, 0.2};

    private OnePassEvaluation() {
    }

    /**
     * The figures of one pass.
     *
     * @param settings the model's settings
     * @param progressiveLogLoss mean progressive log loss over the training pass
     * @param testLogLoss mean log loss on the test set
     * @param testAccuracy accuracy on the test set
     * @param testAuc ROC AUC on the test set (binary models; NaN otherwise)
     * @param nonZeroWeights the number of (feature, logit) weights that are not exactly zero
     * @param weights the number of (feature, logit) weights stored
     * @param rejected rows rejected in training or test
     */
    public record Outcome(ModelSettings settings, double progressiveLogLoss, double testLogLoss, double testAccuracy,
                          double testAuc, long nonZeroWeights, long weights, long rejected) {
        /** The settings that matter for the optimizer, in the words of the command line. */
        public String describe() {
            final ModelSettings s = settings;
            final StringBuilder text = new StringBuilder();
            if (s.optimizer() == Optimizer.SGD || s.optimizer() == Optimizer.ASGD) {
                text.append(s.schedule().name().toLowerCase(Locale.ROOT));
                if (s.schedule() != LearningRateSchedule.OPTIMAL) {
                    text.append(String.format(Locale.ROOT, " eta0=%s", s.learningRate()));
                }
            } else if (s.optimizer() == Optimizer.RLS) {
                text.append(String.format(Locale.ROOT, "ridge=%s label_clip=%s", s.l2(), s.labelClip()));
            } else {
                text.append(String.format(Locale.ROOT, "%s=%s", s.optimizer() == Optimizer.FTRL ? "alpha" : "eta",
                        s.learningRate()));
            }
            if (s.optimizer() != Optimizer.RLS) {
                text.append(String.format(Locale.ROOT, " l1=%s l2=%s", s.l1(), s.l2()));
            }
            if (s.normalization() != Normalization.STANDARDIZE) {
                text.append(s.normalize() ? " scaled" : " raw");
            }
            if (rejected > 0) {
                text.append(String.format(Locale.ROOT, " (%d rows refused)", rejected));
            }
            return text.toString();
        }
    }

    /** The files of one evaluation, CSV or line formats: a training pass, then the test set scored. */
    @FunctionalInterface
    public interface Passes {
        /** Trains {@code replay} on the training file, then scores the test file: the test report. */
        JsonNode trainAndTest(Replay replay) throws IOException;

        /** CSV datasets, in memory. */
        static Passes of(final CsvDataset train, final CsvDataset test) {
            return replay -> {
                replay.train(train);
                return replay.test(test);
            };
        }

        /** libsvm, VW or JSON lines files, each read a row at a time at each pass. */
        static Passes of(final SparseInput train, final SparseInput test) {
            return replay -> {
                replay.train(train);
                return replay.test(test);
            };
        }
    }

    /** One pass of a model with {@code settings} over {@code train}, as {@code olr replay} makes it, then {@code test} scored. */
    public static Outcome run(final ModelSettings settings, final CsvDataset train, final CsvDataset test,
                              final int maxFeatures) {
        return inMemory(() -> run(settings, Passes.of(train, test), maxFeatures));
    }

    /** One pass over the training file of {@code passes}, then its test file scored. */
    public static Outcome run(final ModelSettings settings, final Passes passes, final int maxFeatures)
            throws IOException {
        final Replay replay = new Replay(settings, maxFeatures, new PrintWriter(Writer.nullWriter()));
        final JsonNode tested = passes.trainAndTest(replay);
        return outcome(settings, replay, tested);
    }

    /** A pass over datasets held in memory: nothing to read, so no {@link IOException}. */
    private static <T> T inMemory(final IoSupplier<T> pass) {
        try {
            return pass.get();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static Outcome outcome(final ModelSettings settings, final Replay replay, final JsonNode tested) {
        final JsonNode trained = replay.trainReport();
        return new Outcome(settings, trained.get("progressive_log_loss").asDouble(),
                tested.get("log_loss").asDouble(), tested.get("accuracy").asDouble(),
                tested.has("auc") ? tested.get("auc").asDouble() : Double.NaN, replay.nonZeroWeights(),
                replay.storedWeights(), count(trained.get("rejected")) + count(tested.get("rejected")));
    }

    private static long count(final JsonNode rejectedByReason) {
        long total = 0;
        for (final JsonNode n : rejectedByReason) {
            total += n.asLong();
        }
        return total;
    }

    /** The settings this evaluation tries for {@code optimizer}: {@code base} (its defaults) and variations. */
    public static List<ModelSettings> grid(final ModelSettings base, final Optimizer optimizer) {
        final List<ModelSettings> grid = new ArrayList<>();
        grid.add(base);
        for (final Normalization normalization : Normalization.values()) {
            final ModelSettings b = base.withNormalization(normalization);
            switch (optimizer) {
                case SGD, ASGD -> {
                    for (final double l2 : PENALTIES) {
                        for (final LearningRateSchedule schedule : LearningRateSchedule.values()) {
                            if (schedule == LearningRateSchedule.OPTIMAL) {
                                if (optimizer == Optimizer.SGD && l2 > 0) {
                                    grid.add(b.withPenalties(0, l2).withOptimizer(optimizer, 1).withSchedule(schedule, 0.5));
                                }
                                continue;
                            }
                            if (optimizer == Optimizer.ASGD && l2 > 0 && schedule != LearningRateSchedule.CONSTANT) {
                                continue;
                            }
                            for (final double rate : RATES) {
                                if (rate * l2 < 1) {
                                    grid.add(b.withOptimizer(optimizer, rate).withSchedule(schedule, 0.5).withPenalties(0, l2));
                                }
                            }
                        }
                    }
                }
                case ADAGRAD, NAG -> {
                    for (final double l2 : PENALTIES) {
                        for (final double rate : RATES) {
                            grid.add(b.withOptimizer(optimizer, rate).withPenalties(0, l2));
                        }
                    }
                }
                case RLS -> {
                    for (final double ridge : RIDGES) {
                        for (final double clip : LABEL_CLIPS) {
                            grid.add(b.withPenalties(0, ridge).withLeastSquares(clip, b.maxDimension()));
                        }
                    }
                }
                case FTRL -> {
                    for (final double l1 : FTRL_PENALTIES) {
                        for (final double l2 : FTRL_PENALTIES) {
                            for (final double rate : RATES) {
                                grid.add(b.withOptimizer(optimizer, rate).withPenalties(l1, l2));
                            }
                        }
                    }
                }
            }
        }
        return grid;
    }

    /** The outcome of the settings in {@code grid} whose training pass has the lowest progressive log loss. */
    public static Outcome tuned(final List<ModelSettings> grid, final CsvDataset train, final CsvDataset test,
                                final int maxFeatures) {
        return inMemory(() -> tuned(grid, Passes.of(train, test), maxFeatures));
    }

    /** As {@link #tuned(List, CsvDataset, CsvDataset, int)}, each setting a pass over the files of {@code passes}. */
    public static Outcome tuned(final List<ModelSettings> grid, final Passes passes, final int maxFeatures)
            throws IOException {
        Outcome best = null;
        for (final ModelSettings s : grid) {
            final Outcome o = run(s, passes, maxFeatures);
            if (Double.isFinite(o.progressiveLogLoss())
                    && (best == null || o.progressiveLogLoss() < best.progressiveLogLoss())) {
                best = o;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no setting learned");
        }
        return best;
    }
}
