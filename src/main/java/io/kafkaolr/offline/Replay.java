package io.kafkaolr.offline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.BinnedRocAuc;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.Learner;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Learns a CSV dataset, or a libsvm, VW or JSON lines file read a row at a time ({@link
 * SparseInput}), in one pass, row by row in file order, through the same numeric core
 * the training processor runs (hash, predict, one step), then scores a test set with the
 * final weights. What the topology would learn from the same rows sent in the same order: the
 * model is held as the training processor holds it, in a {@link ModelRows}.
 */
public final class Replay {
    private final ModelState model;
    private final FeatureHasher hasher;
    // the model's feature crosses: every row is hashed with them, as the processors hash
    private final Interactions interactions;
    private final int maxFeatures;
    private final ModelRows weights = new ModelRows();
    private final Learner learner = new Learner();
    /** Each named row's names; sorted only when exported. */
    private final Map<Integer, List<String>> names = new HashMap<>();
    /** The rows the last step created, increasing: the ones it names. */
    private int[] absent = new int[64];
    private final Map<RejectReason, Long> trainRejected = new EnumMap<>(RejectReason.class);
    private final Map<RowRejection.Reason, Long> trainRefused = new EnumMap<>(RowRejection.Reason.class);
    private final PrintWriter log;
    /** Refused lines of a sparse file reported one by one on the log; the rest are counted. */
    public static final int MESSAGES = 10;
    private static final long PROGRESS_EVERY = 100_000;
    private long trainRows;
    private final Scores progressive = new Scores();

    /** A replay that starts from an untrained model with {@code settings}; messages go to {@code log}. */
    public Replay(final ModelSettings settings, final int maxFeatures, final PrintWriter log) {
        this.model = ModelState.fresh(settings);
        this.hasher = new FeatureHasher(settings.hashBits());
        this.interactions = settings.interactions();
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
                learn(row.features(), row.label(), 1.0);
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

    /**
     * Learns every row of a libsvm, VW or JSON lines file in order, one row at a time (never the
     * whole file in memory), with the same arithmetic as {@link #train(CsvDataset)}: each row's
     * label is mapped to a class by {@link NumericLabels}. Malformed lines and labels that map to
     * no class are refused, counted by reason, and the first {@value #MESSAGES} reported on the log
     * with their line numbers.
     *
     * @throws TooManyRejectionsException when more lines are refused than {@code input} allows
     */
    public void train(final SparseInput input) throws IOException {
        final Refusals refusals = new Refusals(input, "", "rejected", trainRejected, trainRefused);
        // parsed and hashed on a thread of its own: learning takes this one, in file order
        try (ParsedRows parsed = ParsedRows.start(refusals::open, hasher, maxFeatures, interactions,
                input.file().getFileName().toString())) {
            for (ParsedRows.Batch batch; (batch = parsed.take()) != null; parsed.release(batch)) {
                for (int i = 0; i < batch.size(); i++) {
                    final ParsedRows.Item item = batch.item(i);
                    if (item.lineRefusal() != null) {
                        refusals.refusedLine(item.lineRefusal());
                        continue;
                    }
                    final String label = NumericLabels.of(model.settings().type(), model.classes(), item.label());
                    if (label == null) {
                        refusals.badLabel(item.line(), item.label(), model.classes());
                    } else if (item.refusal() != null) {
                        refusals.rejected(item.line(), item.refusal());
                    } else {
                        try {
                            learn(item, label, parsed);
                        } catch (final RejectedInputException e) {
                            refusals.rejected(item.line(), e);
                        }
                    }
                    if (++trainRows % PROGRESS_EVERY == 0) {
                        trainProgress();
                    }
                }
                if (batch.last()) {
                    trainRows += batch.readerRejected();
                }
            }
        }
        refusals.summary();
        trainProgress();
    }

    /**
     * A parse-only pass over a libsvm, VW or JSON lines file: every row read, its label mapped
     * and its features hashed into the model's index space exactly as {@link #train(SparseInput)}
     * does, then dropped; nothing is learned (the model stays untrained). Refused lines are
     * counted by reason and limited as in {@link #train(SparseInput)}. The report holds the rows
     * (read and refused), the rows hashed, their non-zeros, the refusals, the seconds the pass took
     * and its rows per second.
     *
     * @throws TooManyRejectionsException when more lines are refused than {@code input} allows
     */
    public ObjectNode dryRun(final SparseInput input) throws IOException {
        final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        final Map<RowRejection.Reason, Long> refused = new EnumMap<>(RowRejection.Reason.class);
        final Refusals refusals = new Refusals(input, "", "rejected", rejected, refused);
        final long start = System.nanoTime();
        final long rows;
        final long[] hashed = new long[2]; // rows hashed, their non-zeros
        try (LabeledRowReader reader = refusals.open()) {
            rows = eachRow(refusals, reader, (row, label) -> {
                hashed[1] += row.vector(hasher, maxFeatures, interactions).size();
                hashed[0]++;
            }, () -> { }) + reader.rejected();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        refusals.summary();
        final ObjectNode report = ModelJson.MAPPER.createObjectNode();
        report.put("rows", rows);
        report.put("hashed", hashed[0]);
        report.put("non_zeros", hashed[1]);
        report.set("rejected", rejectedJson(refused, rejected));
        report.put("seconds", seconds);
        report.put("rows_per_second", seconds > 0 ? rows / seconds : Double.NaN);
        return report;
    }

    /** What a pass does with a row whose label names a class; a {@link RejectedInputException} refuses the row. */
    @FunctionalInterface
    private interface RowUse {
        void use(ParsedLine row, String label);
    }

    /**
     * Each row of {@code reader}, its label mapped to a class ({@link NumericLabels}), given to
     * {@code use}; a label that names no class and a row the model refuses are counted by
     * {@code refusals}. {@code afterRow} runs after every row read. Returns the rows read.
     */
    private long eachRow(final Refusals refusals, final LabeledRowReader reader, final RowUse use,
                         final Runnable afterRow) throws IOException {
        long rows = 0;
        final ParsedLine row = reader.current();
        while (refusals.advance(reader)) {
            rows++;
            final String label = NumericLabels.of(model.settings().type(), model.classes(), row.label());
            if (label == null) {
                refusals.badLabel(row.number(), row.label(), model.classes());
            } else {
                try {
                    use.use(row, label);
                } catch (final RejectedInputException e) {
                    refusals.rejected(row.number(), e);
                }
            }
            afterRow.run();
        }
        return rows;
    }

    private void trainProgress() {
        log.flush();
        log.printf(Locale.ROOT, "trained %d rows, progressive log loss %.5f, accuracy %.4f%n", trainRows,
                model.metrics().meanLogLoss(), model.metrics().accuracy());
        log.flush();
    }

    /** A CSV row through the model, as the training processor learns it: hash, predict, one step. */
    private void learn(final Features features, final String label, final double importance) {
        final FeatureHasher.Hashed hashed = hasher.hash(features, maxFeatures, interactions);
        final int created = learn(hashed.vector(), label, importance);
        if (created > 0) {
            final List<String> rowNames = FeatureHasher.names(features, interactions);
            for (int k = 0; k < rowNames.size(); k++) {
                if (isAmong(hashed.nameIndices()[k], created)) {
                    name(hashed.nameIndices()[k], rowNames.get(k));
                }
            }
        }
    }

    /**
     * A row of a line-format file through the model, as {@link #learn(Features, String, double)}:
     * hashed by the parser, named from the names it sent, which cover every row the step can create.
     */
    private void learn(final ParsedRows.Item row, final String label, final ParsedRows parsed) {
        final int created = learn(row.vector(), label, row.importance());
        for (int i = 0; i < created; i++) {
            parsed.created(absent[i]);
        }
        for (int k = 0; created > 0 && k < row.names(); k++) {
            if (isAmong(row.nameIndex(k), created)) {
                name(row.nameIndex(k), row.name(k));
            }
        }
    }

    /**
     * Predicts {@code x}, takes one step, and counts the progressive figures; the rows the step
     * created are left, increasing, in {@link #absent}. Returns their number.
     */
    private int learn(final SparseVector x, final String label, final double importance) {
        final int rowsBefore = weights.featureRows();
        learner.learn(model, x, label, importance, weights);
        if (model.settings().type() == ModelType.BINARY) {
            progressive.add(learner.probability(learner.classCount() - 1), learner.labelIndex() == 1);
        }
        // a replay never removes a row, so the rows a step creates take the next slots
        final int created = weights.featureRows() - rowsBefore;
        if (absent.length < created) {
            absent = new int[Math.max(created, 2 * absent.length)];
        }
        for (int i = 0; i < created; i++) {
            absent[i] = weights.indexAtSlot(rowsBefore + i);
        }
        Arrays.sort(absent, 0, created);
        return created;
    }

    private boolean isAmong(final int index, final int created) {
        return Arrays.binarySearch(absent, 0, created, index) >= 0;
    }

    /**
     * Names row {@code index}, which the last step created, by {@code name}: the training
     * processor's rule (a row is named by the features of the example that created it, up to
     * {@link Limits#namesPerRow()} of them), so that an export lists what the topology's would.
     */
    private void name(final int index, final String name) {
        if (ModelSnapshot.keepsName(name)) {
            final List<String> list = names.computeIfAbsent(index, i -> new ArrayList<>(1));
            if (list.size() < Limits.DEFAULT.namesPerRow()) {
                list.add(name);
            }
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
        return OnlineLogisticRegression.predict(model, hasher.vectorize(features, maxFeatures, interactions), weights);
    }

    /** The train part of the report. */
    public ObjectNode trainReport() {
        final ObjectNode train = ModelJson.MAPPER.createObjectNode();
        train.put("examples", model.metrics().examples());
        train.put("progressive_log_loss", model.metrics().meanLogLoss());
        train.put("progressive_accuracy", model.metrics().accuracy());
        if (model.settings().type() == ModelType.BINARY) {
            train.put("progressive_auc", progressive.auc());
        }
        final ObjectNode counts = train.putObject("class_counts");
        final long[] classCounts = model.classCounts();
        for (int k = 0; k < classCounts.length; k++) {
            counts.put(model.classes().get(k), classCounts[k]);
        }
        train.put("rows", trainRows);
        train.set("rejected", rejectedJson(trainRefused, trainRejected));
        final var classes = train.putArray("classes");
        model.classes().forEach(classes::add);
        train.put("model_version", model.version());
        return train;
    }

    /** Scores every row of {@code test} with the final model: mean log loss and accuracy. */
    public ObjectNode test(final CsvDataset test) {
        final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        final Score score = new Score();
        for (final CsvDataset.Row row : test.rows()) {
            try {
                score.add(hasher.vectorize(row.features(), maxFeatures, interactions), row.label());
            } catch (final RejectedInputException e) {
                rejected.merge(e.reason(), 1L, Long::sum);
                log.printf(Locale.ROOT, "test line %d not scored: %s: %s%n", row.line(), e.reason(), e.getMessage());
            }
        }
        return score.report(rejectedJson(Map.of(), rejected));
    }

    /**
     * Scores every row of a libsvm, VW or JSON lines file with the final model, one row at a
     * time, labels mapped as in {@link #train(SparseInput)}: mean log loss and accuracy.
     *
     * @throws TooManyRejectionsException when more lines are refused than {@code input} allows
     */
    public ObjectNode test(final SparseInput input) throws IOException {
        final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        final Map<RowRejection.Reason, Long> refused = new EnumMap<>(RowRejection.Reason.class);
        final Refusals refusals = new Refusals(input, "test ", "not scored", rejected, refused);
        final Score score = new Score();
        try (LabeledRowReader reader = refusals.open()) {
            eachRow(refusals, reader, (row, label) -> score.add(row.vector(hasher, maxFeatures, interactions), label),
                    () -> { });
        }
        refusals.summary();
        return score.report(rejectedJson(refused, rejected));
    }

    /** Sums of the test figures. */
    private final class Score {
        private double lossSum;
        private long correct;
        private long n;
        private final Scores scores = new Scores();

        void add(final SparseVector x, final String label) {
            final int y = model.classes().indexOf(label);
            if (y < 0) {
                throw new RejectedInputException(RejectReason.UNKNOWN_LABEL,
                        "label '" + label + "' was never seen in training: " + model.classes());
            }
            final ModelOutput out = OnlineLogisticRegression.predict(model, x, weights);
            lossSum += out.logLoss(y);
            if (model.settings().type() == ModelType.BINARY) {
                scores.add(out.probabilities()[out.probabilities().length - 1], y == 1);
            }
            correct += out.predicted() == y ? 1 : 0;
            n++;
        }

        ObjectNode report(final ObjectNode rejected) {
            final ObjectNode report = ModelJson.MAPPER.createObjectNode();
            report.put("examples", n);
            report.put("log_loss", n == 0 ? Double.NaN : lossSum / n);
            report.put("accuracy", n == 0 ? Double.NaN : (double) correct / n);
            if (model.settings().type() == ModelType.BINARY) {
                report.put("auc", scores.auc());
            }
            report.set("rejected", rejected);
            return report;
        }
    }

    /**
     * The refused lines of one pass over a sparse file: counted by reason, the first
     * {@value #MESSAGES} reported on the log, a limit on their number enforced.
     */
    private final class Refusals {
        private final SparseInput input;
        private final String prefix;
        private final String verb;
        private final Map<RejectReason, Long> rejected;
        private final Map<RowRejection.Reason, Long> refused;
        private long count;

        Refusals(final SparseInput input, final String prefix, final String verb,
                 final Map<RejectReason, Long> rejected, final Map<RowRejection.Reason, Long> refused) {
            this.input = input;
            this.prefix = prefix;
            this.verb = verb;
            this.rejected = rejected;
            this.refused = refused;
        }

        LabeledRowReader open() throws IOException {
            return open(r -> {
                try {
                    refusedLine(r);
                } catch (final TooManyRejectionsException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        /** The input's reader, each line it refuses given to {@code onRejection}. */
        LabeledRowReader open(final Consumer<RowRejection> onRejection) throws IOException {
            // the reader refuses any number of lines: the limit counts every refusal, the reader's and these
            return LabeledRowReader.open(input.file(), input.format(), LabeledRowReader.Limits.DEFAULT, onRejection);
        }

        /** A line the reader refused. */
        void refusedLine(final RowRejection r) throws TooManyRejectionsException {
            refused.merge(r.reason(), 1L, Long::sum);
            count(r);
            check(r);
        }

        /** Moves the reader to its next row; false at the end. */
        boolean advance(final LabeledRowReader from) throws IOException {
            try {
                return from.advance();
            } catch (final UncheckedIOException e) {
                throw e.getCause();
            }
        }

        void badLabel(final long line, final String label, final List<String> classes)
                throws TooManyRejectionsException {
            final RowRejection r = new RowRejection(line, RowRejection.Reason.BAD_LABEL,
                    "label '" + label + "' is not a class of this " + model.settings().type().name()
                            .toLowerCase(Locale.ROOT) + " model " + classes
                            + " (binary: -1 or 0 is the first class, 1 or +1 the second)");
            refused.merge(r.reason(), 1L, Long::sum);
            count(r);
            check(r);
        }

        void rejected(final long line, final RejectedInputException e) throws TooManyRejectionsException {
            rejected.merge(e.reason(), 1L, Long::sum);
            final RowRejection r = new RowRejection(line, null, e.reason() + ": " + e.getMessage());
            count(r);
            check(r);
        }

        private void count(final RowRejection r) {
            count++;
            if (count <= MESSAGES) {
                log.printf(Locale.ROOT, "%s%sline %d %s: %s%n", input.file().getFileName() + ": ", prefix, r.line(),
                        verb, r.reason() == null ? r.detail() : r.reason() + ": " + r.detail());
            }
        }

        /** Throws when this refusal is one more than the limit; the reader's own are checked after each row. */
        private void check(final RowRejection last) throws TooManyRejectionsException {
            if (count > input.maxRejected()) {
                final Map<String, Long> counts = new TreeMap<>();
                refused.forEach((k, v) -> counts.merge(k.name(), v, Long::sum));
                rejected.forEach((k, v) -> counts.merge(k.name(), v, Long::sum));
                throw new TooManyRejectionsException(input.file().toString(), input.maxRejected(), counts, last);
            }
        }

        void summary() {
            if (count > MESSAGES) {
                log.printf(Locale.ROOT, "%s%s%d more lines %s, not shown (%d in all)%n",
                        input.file().getFileName() + ": ", prefix, count - MESSAGES, verb, count);
            }
            log.flush();
        }
    }

    /**
     * The model as JSON, each row's weights by the names of the features of the row that created
     * it (the training processor's rule: a later feature that collides into the row is not
     * listed), with the stored state
     * that {@code olr model import} restores.
     */
    public ObjectNode export() {
        return snapshot().toJson();
    }

    /** The model as the training processor would store it. */
    public ModelSnapshot snapshot() {
        return ModelSnapshot.of(model, Arrays.stream(weights.indices()).boxed().toList(), weights, names);
    }

    /**
     * The scores of a binary model and whether each row was positive, for the ROC AUC, in
     * constant memory ({@link BinnedRocAuc}: 2 MiB, allocated by the first score; softmax
     * models keep nothing). The AUC is binned: within {@link BinnedRocAuc#errorBound()} of the
     * exact one.
     */
    private static final class Scores {
        private final BinnedRocAuc auc = new BinnedRocAuc();

        void add(final double score, final boolean isPositive) {
            auc.add(score, isPositive);
        }

        double auc() {
            return auc.auc();
        }
    }

    /** Refused lines of a sparse file (none for CSV), then rows the model rejected, by reason. */
    private static ObjectNode rejectedJson(final Map<RowRejection.Reason, Long> refused,
                                           final Map<RejectReason, Long> counts) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        refused.forEach((reason, count) -> node.put(reason.name(), count));
        counts.forEach((reason, count) -> node.put(reason.name(),
                count + (node.has(reason.name()) ? node.get(reason.name()).asLong() : 0)));
        return node;
    }
}
