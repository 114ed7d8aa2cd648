package io.kafkaolr.offline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.Learner;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.RocAuc;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Learns a CSV dataset in one pass, row by row in file order, through the same numeric core
 * the training processor runs (hash, predict, one step), then scores a test set with the
 * final weights. What the topology would learn from the same rows sent in the same order: the
 * model is held as the training processor holds it, in a {@link ModelRows}.
 */
public final class Replay {
    private final ModelState model;
    private final FeatureHasher hasher;
    private final int maxFeatures;
    private final ModelRows weights = new ModelRows();
    private final Learner learner = new Learner();
    private final SortedMap<Integer, List<String>> names = new TreeMap<>();
    private final Set<String> named = new HashSet<>();
    private final Map<RejectReason, Long> trainRejected = new EnumMap<>(RejectReason.class);
    private final PrintWriter log;
    private long trainRows;
    private final List<Double> progressiveScores = new ArrayList<>();
    private final List<Boolean> progressivePositive = new ArrayList<>();

    /** A replay that starts from an untrained model with {@code settings}; messages go to {@code log}. */
    public Replay(final ModelSettings settings, final int maxFeatures, final PrintWriter log) {
        this.model = ModelState.fresh(settings);
        this.hasher = new FeatureHasher(settings.hashBits());
        this.maxFeatures = maxFeatures;
        this.log = log;
    }

    /** Learns every row of {@code train} in order; rejected rows are counted and reported on the log. */
    public void train(final CsvDataset train) {
        final int total = train.rows().size();
        final int every = Math.max(1, total / 10);
        for (final CsvDataset.Row row : train.rows()) {
            trainRows++;
            try {
                final SparseVector x = hasher.vectorize(row.features(), maxFeatures);
                learner.learn(model, x, row.label(), 1.0, weights);
                progressiveScores.add(learner.probability(learner.classCount() - 1));
                progressivePositive.add(learner.labelIndex() == 1);
                row.features().names().forEach(this::remember);
            } catch (final RejectedInputException e) {
                trainRejected.merge(e.reason(), 1L, Long::sum);
                log.printf(Locale.ROOT, "line %d rejected: %s: %s%n", row.line(), e.reason(), e.getMessage());
            }
            if (trainRows % every == 0 || trainRows == total) {
                log.flush();
                log.printf(Locale.ROOT, "trained %d/%d rows, progressive log loss %.5f, accuracy %.4f%n", trainRows,
                        total, model.metrics().meanLogLoss(), model.metrics().accuracy());
            }
        }
    }

    private void remember(final String name) {
        if (named.add(name)) {
            names.computeIfAbsent(hasher.index(name), i -> new ArrayList<>(1)).add(name);
        }
    }

    /** The model as learned so far. */
    public ModelState model() {
        return model;
    }

    /** The number of (feature, logit) weights the model serves that are not exactly zero. */
    public long nonZeroWeights() {
        final long[] nonZero = {0};
        weights.forEachIndex(index -> {
            if (index < FeatureHasher.FIRST_MODEL_ROW) {
                for (final double w : OnlineLogisticRegression.weights(model, weights.read(index))) {
                    nonZero[0] += w != 0.0 ? 1 : 0;
                }
            }
        });
        return nonZero[0];
    }

    /** The number of (feature, logit) weights stored. */
    public long storedWeights() {
        return (long) weights.featureRows() * model.logits();
    }

    /** The current model's prediction for {@code features}. */
    public ModelOutput predict(final Features features) {
        return OnlineLogisticRegression.predict(model, hasher.vectorize(features, maxFeatures), weights);
    }

    /** The train part of the report. */
    public ObjectNode trainReport() {
        final ObjectNode train = ModelJson.MAPPER.createObjectNode();
        train.put("examples", model.metrics().examples());
        train.put("progressive_log_loss", model.metrics().meanLogLoss());
        train.put("progressive_accuracy", model.metrics().accuracy());
        if (model.settings().type() == ModelType.BINARY) {
            train.put("progressive_auc", auc(progressiveScores, progressivePositive));
        }
        final ObjectNode counts = train.putObject("class_counts");
        final long[] classCounts = model.classCounts();
        for (int k = 0; k < classCounts.length; k++) {
            counts.put(model.classes().get(k), classCounts[k]);
        }
        train.put("rows", trainRows);
        train.set("rejected", rejectedJson(trainRejected));
        final var classes = train.putArray("classes");
        model.classes().forEach(classes::add);
        train.put("model_version", model.version());
        return train;
    }

    /** Scores every row of {@code test} with the final model: mean log loss and accuracy. */
    public ObjectNode test(final CsvDataset test) {
        final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        double lossSum = 0;
        long correct = 0;
        long n = 0;
        final List<Double> scores = new ArrayList<>();
        final List<Boolean> positive = new ArrayList<>();
        for (final CsvDataset.Row row : test.rows()) {
            try {
                final int y = model.classes().indexOf(row.label());
                if (y < 0) {
                    throw new RejectedInputException(RejectReason.UNKNOWN_LABEL,
                            "label '" + row.label() + "' was never seen in training: " + model.classes());
                }
                final ModelOutput out = predict(row.features());
                lossSum += out.logLoss(y);
                scores.add(out.probabilities()[out.probabilities().length - 1]);
                positive.add(y == 1);
                correct += out.predicted() == y ? 1 : 0;
                n++;
            } catch (final RejectedInputException e) {
                rejected.merge(e.reason(), 1L, Long::sum);
                log.printf(Locale.ROOT, "test line %d not scored: %s: %s%n", row.line(), e.reason(), e.getMessage());
            }
        }
        final ObjectNode report = ModelJson.MAPPER.createObjectNode();
        report.put("examples", n);
        report.put("log_loss", n == 0 ? Double.NaN : lossSum / n);
        report.put("accuracy", n == 0 ? Double.NaN : (double) correct / n);
        if (model.settings().type() == ModelType.BINARY) {
            report.put("auc", auc(scores, positive));
        }
        report.set("rejected", rejectedJson(rejected));
        return report;
    }

    /**
     * The model as JSON, weights by the feature names seen in training, with the stored state
     * that {@code olr model import} restores.
     */
    public ObjectNode export() {
        return snapshot().toJson();
    }

    /** The model as the training processor would store it. */
    public ModelSnapshot snapshot() {
        return ModelSnapshot.of(model, Arrays.stream(weights.indices()).boxed().toList(), weights, names);
    }

    private static double auc(final List<Double> scores, final List<Boolean> positive) {
        final boolean[] labels = new boolean[positive.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = positive.get(i);
        }
        return RocAuc.rocAuc(scores.stream().mapToDouble(Double::doubleValue).toArray(), labels);
    }

    private static ObjectNode rejectedJson(final Map<RejectReason, Long> counts) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        counts.forEach((reason, count) -> node.put(reason.name(), count));
        return node;
    }
}
