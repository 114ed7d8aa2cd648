package io.kafkaolr.app;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.HashMapWeights;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.core.SparseVector;
import java.util.ArrayList;
import java.util.Comparator;
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
            } else {
                text.append(String.format(Locale.ROOT, "%s=%s", s.optimizer() == Optimizer.FTRL ? "alpha" : "eta",
                        s.learningRate()));
            }
            text.append(String.format(Locale.ROOT, " l1=%s l2=%s", s.l1(), s.l2()));
            if (!s.normalize()) {
                text.append(" raw");
            }
            return text.toString();
        }
    }

    /** One pass of a model with {@code settings} over {@code train}, then {@code test} scored. */
    public static Outcome run(final ModelSettings settings, final CsvDataset train, final CsvDataset test,
                              final int maxFeatures) {
        final ModelState model = ModelState.fresh(settings);
        final FeatureHasher hasher = new FeatureHasher(settings.hashBits());
        final HashMapWeights weights = new HashMapWeights();
        long rejected = 0;
        for (final CsvDataset.Row row : train.rows()) {
            try {
                OnlineLogisticRegression.learn(model, hasher.vectorize(row.features(), maxFeatures), row.label(), 1.0,
                        weights);
            } catch (final RejectedInputException e) {
                rejected++;
            }
        }
        final int n = test.rows().size();
        final double[] scores = new double[n];
        final boolean[] positive = new boolean[n];
        double lossSum = 0;
        long correct = 0;
        int scored = 0;
        for (final CsvDataset.Row row : test.rows()) {
            final int y = model.classes().indexOf(row.label());
            final SparseVector x;
            try {
                x = hasher.vectorize(row.features(), maxFeatures);
            } catch (final RejectedInputException e) {
                rejected++;
                continue;
            }
            if (y < 0) {
                rejected++;
                continue;
            }
            final ModelOutput out = OnlineLogisticRegression.predict(model, x, weights);
            lossSum += out.logLoss(y);
            correct += out.predicted() == y ? 1 : 0;
            scores[scored] = out.probabilities()[out.probabilities().length - 1];
            positive[scored] = y == 1;
            scored++;
        }
        final double auc = settings.type() == ModelType.BINARY
                ? RocAuc.rocAuc(java.util.Arrays.copyOf(scores, scored), java.util.Arrays.copyOf(positive, scored))
                : Double.NaN;
        long nonZero = 0;
        long stored = 0;
        for (final int index : weights.indices()) {
            for (int k = 0; k < model.logits(); k++) {
                stored++;
                nonZero += weights.current(model, index, k) != 0.0 ? 1 : 0;
            }
        }
        return new Outcome(settings, model.metrics().meanLogLoss(), lossSum / scored, (double) correct / scored, auc,
                nonZero, stored, rejected);
    }

    /** The settings this evaluation tries for {@code optimizer}: {@code base} (its defaults) and variations. */
    public static List<ModelSettings> grid(final ModelSettings base, final Optimizer optimizer) {
        final List<ModelSettings> grid = new ArrayList<>();
        grid.add(base);
        for (final boolean normalize : new boolean[] {true, false}) {
            final ModelSettings b = base.withNormalize(normalize);
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
                case ADAGRAD -> {
                    for (final double l2 : PENALTIES) {
                        for (final double rate : RATES) {
                            grid.add(b.withOptimizer(optimizer, rate).withPenalties(0, l2));
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
        return grid.stream().map(s -> run(s, train, test, maxFeatures))
                .filter(o -> Double.isFinite(o.progressiveLogLoss()))
                .min(Comparator.comparingDouble(Outcome::progressiveLogLoss))
                .orElseThrow(() -> new IllegalStateException("no setting learned"));
    }
}
