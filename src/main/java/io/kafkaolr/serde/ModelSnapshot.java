package io.kafkaolr.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.LogitLeastSquares;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.ProgressiveMetrics;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One model as it is stored: its header, weight rows (optimizer state included), AUC-window
 * entries and feature names, by index. The lossless form behind export and import: the
 * exported JSON ({@link ModelJson}) carries these entries under {@code "state"} (index to
 * base64 of the stored bytes) next to the readable weights, and an import writes them back
 * unchanged, so that the imported model predicts and goes on learning exactly as the
 * exported one would have.
 */
public final class ModelSnapshot {
    /** The longest feature name that is kept (characters); longer names are exported as {@code #index}. */
    public static final int MAX_NAME_CHARS = 1024;

    /** Whether a feature's name is kept with the model (not too long to store). */
    public static boolean keepsName(final String name) {
        return name.length() <= MAX_NAME_CHARS;
    }

    private final ModelState model;
    // header, rows and AUC-window entries; the names are kept apart, as the readable part of the JSON has them
    private final SortedMap<Integer, byte[]> entries;
    private final SortedMap<Integer, List<String>> names;

    private ModelSnapshot(final SortedMap<Integer, byte[]> entries, final SortedMap<Integer, List<String>> names) {
        final byte[] header = entries.get(ModelStateCodec.HEADER_INDEX);
        if (header == null) {
            throw new IllegalArgumentException("the model has no header entry (index -1)");
        }
        this.model = ModelStateCodec.decodeHeader(header);
        final int rows = 1 << model.settings().hashBits();
        for (final Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            final int index = e.getKey();
            if (ModelStateCodec.isRow(index)) {
                if (index >= rows && index != FeatureHasher.FIRST_MODEL_ROW) {
                    throw new IllegalArgumentException("row " + index + " is outside the model's 2^"
                            + model.settings().hashBits() + " rows");
                }
                try {
                    ModelStateCodec.decodeRow(e.getValue());
                } catch (final RuntimeException ex) {
                    throw new IllegalArgumentException("row " + index + " is corrupt: " + ex, ex);
                }
            } else if (index != ModelStateCodec.HEADER_INDEX && !ModelStateCodec.isWindowEntry(e.getValue())) {
                throw new IllegalArgumentException("entry " + index + " is not an AUC-window entry");
            }
        }
        this.entries = entries;
        this.names = names;
    }

    /**
     * The snapshot of the stored entries of one model (index to bytes, as {@link ModelStateCodec}
     * keys them), names entries included.
     *
     * @throws IllegalArgumentException if there is no header or an entry is corrupt
     */
    public static ModelSnapshot fromStored(final Map<Integer, byte[]> stored) {
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        final SortedMap<Integer, List<String>> names = new TreeMap<>();
        for (final Map.Entry<Integer, byte[]> e : stored.entrySet()) {
            if (ModelStateCodec.isNames(e.getKey())) {
                names.put(ModelStateCodec.namedRow(e.getKey()), ModelStateCodec.decodeNames(e.getValue()));
            } else {
                entries.put(e.getKey(), e.getValue());
            }
        }
        return new ModelSnapshot(entries, names);
    }

    /** The snapshot of a model held in memory (by {@code olr replay}): its rows and the names of its features. */
    public static ModelSnapshot of(final ModelState model, final Iterable<Integer> rowIndices,
                                   final WeightAccess weights, final Map<Integer, List<String>> names) {
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        entries.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(model));
        for (final int index : rowIndices) {
            entries.put(index, ModelStateCodec.encodeRow(weights.read(index)));
        }
        final SortedMap<Integer, List<String>> kept = new TreeMap<>();
        names.forEach((index, list) -> {
            final List<String> shortEnough = list.stream().filter(ModelSnapshot::keepsName).toList();
            if (!shortEnough.isEmpty() && entries.containsKey(index)) {
                kept.put(index, shortEnough);
            }
        });
        return new ModelSnapshot(entries, kept);
    }

    /**
     * The snapshot in an exported model's JSON: the entries of its {@code "state"}, the names of
     * its {@code "weights"} (in the order they are written; {@code "#<index>"} stands for a row
     * whose names are unknown).
     *
     * @throws IllegalArgumentException with the reason, if the JSON is not an exported model
     */
    public static ModelSnapshot fromJson(final JsonNode json) {
        final JsonNode state = json.get("state");
        if (state == null || !state.isObject()) {
            throw new IllegalArgumentException("no \"state\" object: only models exported by kafka-olr "
                    + "('olr replay --export-model', 'olr model export') can be imported");
        }
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            final int index;
            try {
                index = Integer.parseInt(e.getKey());
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException("state key '" + e.getKey() + "' is not an index", ex);
            }
            if (ModelStateCodec.isNames(index) || !e.getValue().isTextual()) {
                throw new IllegalArgumentException("state entry " + index + " is not a stored row, header or window entry");
            }
            try {
                entries.put(index, Base64.getDecoder().decode(e.getValue().asText()));
            } catch (final IllegalArgumentException ex) {
                throw new IllegalArgumentException("state entry " + index + " is not base64: " + ex.getMessage(), ex);
            }
        }
        final ModelSnapshot withoutNames = new ModelSnapshot(entries, new TreeMap<>());
        final FeatureHasher hasher = new FeatureHasher(withoutNames.model.settings().hashBits());
        final SortedMap<Integer, List<String>> names = new TreeMap<>();
        final JsonNode weights = json.get("weights");
        if (weights != null) {
            for (final Iterator<String> it = weights.fieldNames(); it.hasNext(); ) {
                final String name = it.next();
                final int index = hasher.index(name);
                if (keepsName(name) && entries.containsKey(index) && !unnamed(name, index)) {
                    names.computeIfAbsent(index, i -> new ArrayList<>(1)).add(name);
                }
            }
        }
        final ModelSnapshot snapshot = new ModelSnapshot(entries, names);
        snapshot.requireReadableAgrees(json);
        return snapshot;
    }

    /**
     * Refuses an exported model whose readable part says something else than its {@code "state"}
     * (an edited weight, bias, version or class list): the state is what an import restores, so
     * an edit of the readable part would otherwise be ignored without a word. A readable field
     * left out is not checked.
     */
    private void requireReadableAgrees(final JsonNode json) {
        final ObjectNode restored = toJson();
        for (final String field : List.of("type", "classes", "version", "hash_bits", "bias")) {
            if (json.has(field) && !sameJson(json.get(field), restored.get(field))) {
                throw readableDiffers("\"" + field + "\" is " + abbreviate(json.get(field)) + " but the state gives "
                        + abbreviate(restored.get(field)));
            }
        }
        final JsonNode weights = json.get("weights");
        if (weights == null) {
            return;
        }
        final JsonNode served = restored.get("weights");
        for (final Iterator<Map.Entry<String, JsonNode>> it = weights.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            if (!sameJson(e.getValue(), served.get(e.getKey()))) {
                throw readableDiffers("the weight of '" + e.getKey() + "' is " + abbreviate(e.getValue())
                        + " but the state gives " + abbreviate(served.get(e.getKey())));
            }
        }
    }

    private static IllegalArgumentException readableDiffers(final String difference) {
        return new IllegalArgumentException(difference + ": the \"state\" is what an import restores, and the "
                + "readable fields must agree with it (an edited readable field is refused; leave it out or "
                + "export the model anew)");
    }

    /** Equal JSON, numbers compared by value (an exported 1.0 may be typed back as 1). */
    private static boolean sameJson(final JsonNode a, final JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.doubleValue() == b.doubleValue();
        }
        if (a.isObject() && b.isObject() || a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    if (!sameJson(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                if (!sameJson(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static String abbreviate(final JsonNode node) {
        final String text = String.valueOf(node);
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static boolean unnamed(final String name, final int index) {
        if (!name.startsWith("#")) {
            return false;
        }
        try {
            return Integer.parseInt(name.substring(1)) != index;
        } catch (final NumberFormatException e) {
            return false;
        }
    }

    /**
     * Checks that this model may be imported into a processor hashing onto 2^{@code hashBits}
     * dimensions within {@code limits}: the one check behind every import (control topic, HTTP,
     * {@code olr model import}), made before anything is applied.
     *
     * <p>Beyond what reading the entries checked (a header, rows that decode, counts that fit
     * in the bytes given): the version and every count non-negative; every weight, optimizer
     * state, statistic, bias and progressive metric finite and in its range; rows no newer than
     * the model and no wider than its classes; a least-squares model's rows where its covariance
     * row lists them; classes distinct and within the limits; names
     * only for rows present, within the limits; and the whole within the import, row and
     * header limits.
     *
     * @return this snapshot
     * @throws RejectedInputException {@link RejectReason#INVALID_COMMAND} saying what is wrong,
     *     {@link RejectReason#LIMIT_EXCEEDED} naming the limit, or
     *     {@link RejectReason#MODEL_MISMATCH} for another hashing
     */
    public ModelSnapshot checkImport(final Limits limits, final int hashBits) {
        final ModelSettings s = model.settings();
        if (s.hashBits() != hashBits) {
            throw ModelSettings.hashBitsMismatch("the model", s.hashBits(), hashBits);
        }
        long bytes = 0;
        for (final byte[] value : entries.values()) {
            bytes += value.length;
        }
        for (final List<String> list : names.values()) {
            for (final String name : list) {
                bytes += name.length();
            }
        }
        if (bytes > limits.importBytes()) {
            throw Limits.exceeded("the import's size in bytes", bytes, limits.importBytes(), "olr.limits.import-bytes");
        }
        final byte[] header = entries.get(ModelStateCodec.HEADER_INDEX);
        if (header.length > limits.modelHeaderBytes()) {
            throw Limits.exceeded("the model header's size in bytes", header.length, limits.modelHeaderBytes(),
                    "olr.limits.model-header-bytes");
        }
        checkHeader(limits);
        final int logits = model.logits();
        final int spl = s.optimizer().slotsPerLogit();
        final boolean leastSquares = s.optimizer() == Optimizer.RLS;
        final Map<Integer, WeightRow> leastSquaresRows = new HashMap<>();
        int rows = 0;
        for (final Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            final int index = e.getKey();
            if (ModelStateCodec.isRow(index)) {
                rows++;
                final WeightRow row = ModelStateCodec.decodeRow(e.getValue());
                final String what = "row " + index;
                check(row.step() >= 0 && row.step() <= model.version(), what + " was written at update " + row.step()
                        + ", which is not between 0 and the model's version " + model.version());
                finite(row.clock(), what + "'s clock");
                finite(row.slots(), what + "'s optimizer state");
                finite(row.pending(), what + "'s pending gradient");
                check(Double.isFinite(row.seen()) && row.seen() >= 0 && Double.isFinite(row.sumSquares())
                        && row.sumSquares() >= 0, what + "'s statistics are negative or not finite");
                check(Double.isNaN(row.mean()) == Double.isNaN(row.squaredDeviations())
                        && (Double.isNaN(row.mean()) || Double.isFinite(row.mean())
                        && Double.isFinite(row.squaredDeviations()) && row.squaredDeviations() >= 0),
                        what + "'s mean and deviations are not finite");
                if (leastSquares) {
                    checkLeastSquaresRow(index, row, logits, s);
                    leastSquaresRows.put(index, row);
                } else {
                    check(row.slots().length <= logits * spl && row.slots().length % spl == 0,
                            what + " has " + row.slots().length + " numbers of state, more than " + logits * spl
                                    + " for " + model.classes().size() + " classes and " + s.optimizer());
                    if (s.optimizer() == Optimizer.FTRL || s.optimizer() == Optimizer.ADAGRAD
                            || s.optimizer() == Optimizer.NAG) {
                        // the second slot of each logit sums squared gradients
                        for (int k = 1; k < row.slots().length; k += spl) {
                            check(row.slots()[k] >= 0, what + "'s sum of squared gradients is " + row.slots()[k]
                                    + ", less than 0");
                        }
                    }
                    check(row.pending().length <= logits, what + " has a pending gradient for "
                            + row.pending().length + " logits, the model has " + logits);
                }
            } else if (index != ModelStateCodec.HEADER_INDEX) {
                final double p = ModelStateCodec.windowProbability(e.getValue());
                check(p >= 0 && p <= 1 && e.getValue()[8] >> 1 == 0,
                        "AUC-window entry " + index + " is not a probability and a label");
            }
        }
        if (rows > limits.rowsPerModel()) {
            throw Limits.exceeded("the model's rows", rows, limits.rowsPerModel(), "olr.limits.rows-per-model");
        }
        if (leastSquares) {
            checkLeastSquaresRows(leastSquaresRows);
        }
        for (final Map.Entry<Integer, List<String>> e : names.entrySet()) {
            check(entries.containsKey(e.getKey()), "names are given for row " + e.getKey() + ", which has no weights");
            if (e.getValue().size() > limits.namesPerRow()) {
                throw Limits.exceeded("row " + e.getKey() + "'s names", e.getValue().size(), limits.namesPerRow(),
                        "olr.limits.names-per-row");
            }
            e.getValue().forEach(limits::checkFeatureName);
        }
        return this;
    }

    /**
     * A least-squares row's layout ({@link LogitLeastSquares}): a feature's row
     * {@code [position, K, w_1..w_K, P[position]]}, the covariance row {@code [d, index_1..index_d, P[0]]}.
     */
    private static void checkLeastSquaresRow(final int index, final WeightRow row, final int logits,
                                             final ModelSettings s) {
        final double[] slots = row.slots();
        final String what = "least-squares row " + index;
        if (index == LogitLeastSquares.COVARIANCE_ROW) {
            check(slots.length >= 2 && slots[0] == Math.rint(slots[0]) && slots[0] >= 0
                    && slots[0] <= s.maxDimension() && slots.length == 1 + (int) slots[0] + (int) slots[0] + 1,
                    what + " does not list its features and the intercept's covariance");
            return;
        }
        check(slots.length >= 3 && slots[0] == Math.rint(slots[0]) && slots[0] >= 1 && slots[0] <= s.maxDimension()
                && slots[1] == Math.rint(slots[1]) && slots[1] >= 0 && slots[1] <= logits
                && slots.length > 2 + (int) slots[1] + (int) slots[0],
                what + " is not [position, classes, weights, covariance row]");
    }

    /**
     * The least-squares rows agree with each other: the covariance row lists every feature row
     * once, each at the position the row gives itself, and every feature row's row of P spans the
     * {@code d + 1} positions. The learner finds the model's features through that list and
     * rewrites every row it lists on each example: an entry that is not the index of its row (an
     * edited or truncated number) would make it write a row at an index no feature has, which the
     * store cannot hold, and a row out of its place or of another width would corrupt the
     * covariance it reads.
     *
     * @param rows every row of the model by index, each already checked alone ({@code checkLeastSquaresRow})
     */
    private static void checkLeastSquaresRows(final Map<Integer, WeightRow> rows) {
        final WeightRow covariance = rows.get(LogitLeastSquares.COVARIANCE_ROW);
        final int features = rows.size() - (covariance == null ? 0 : 1);
        if (covariance == null) {
            check(features == 0, "the least-squares model has " + features + " feature rows but no row "
                    + LogitLeastSquares.COVARIANCE_ROW + " listing them");
            return;
        }
        final double[] list = covariance.slots();
        final int d = (int) list[0];
        final String what = "least-squares row " + LogitLeastSquares.COVARIANCE_ROW;
        check(d == features, what + " lists " + d + " features, the model has " + features + " feature rows");
        for (int p = 1; p <= d; p++) {
            final double listed = list[p];
            final WeightRow row = listed == Math.rint(listed) && listed >= 0 && listed < FeatureHasher.FIRST_MODEL_ROW
                    ? rows.get((int) listed) : null;
            // positions are distinct, so d rows each found at its own position are every feature row, once
            check(row != null && row.slots()[0] == p, what + " lists " + listed + " at position " + p
                    + ", which is not the index of the feature row at that position");
            final int logitsOfRow = (int) row.slots()[1];
            check(row.slots().length == 2 + logitsOfRow + d + 1, "least-squares row " + (int) listed + " has "
                    + row.slots().length + " numbers, not its position, " + logitsOfRow + " weights and the "
                    + (d + 1) + " covariances of a model of " + d + " features");
        }
    }

    private void checkHeader(final Limits limits) {
        final List<String> classes = model.classes();
        check(model.version() >= 0, "the version is " + model.version() + ", less than 0");
        // far beyond any stream, and far from the overflow of the next update
        check(model.version() < 1L << 62, "the version is " + model.version() + ", more than 2^62");
        check(model.metrics().examples() < 1L << 62, "the example count is " + model.metrics().examples()
                + ", more than 2^62");
        check(!classes.isEmpty() && (model.settings().type() != ModelType.BINARY || classes.size() == 2),
                "a " + model.settings().type().name().toLowerCase(java.util.Locale.ROOT) + " model with "
                        + classes.size() + " classes cannot predict");
        if (classes.size() > limits.classes()) {
            throw Limits.exceeded("the model's classes", classes.size(), limits.classes(), "olr.limits.classes");
        }
        check(new HashSet<>(classes).size() == classes.size(), "the model's classes are not distinct: " + classes);
        classes.forEach(limits::checkLabel);
        model.settings().initialClasses().forEach(limits::checkLabel);
        for (final long count : model.classCounts()) {
            check(count >= 0, "a class count is negative: " + count);
        }
        finite(model.clock(), "the model's clock");
        finite(model.biasState(), "the bias");
        finite(model.pendingBias(), "the pending bias gradient");
        check(model.pendingBias().length <= model.logits(), "the pending bias gradient has "
                + model.pendingBias().length + " logits, the model has " + model.logits());
        final ProgressiveMetrics m = model.metrics();
        check(m.examples() >= 0 && Double.isFinite(m.weightSum()) && m.weightSum() >= 0
                && Double.isFinite(m.lossSum()) && m.lossSum() >= 0
                && Double.isFinite(m.correctWeight()) && m.correctWeight() >= 0,
                "the progressive metrics are negative or not finite: " + m);
    }

    private static void finite(final double[] values, final String what) {
        for (final double v : values) {
            check(Double.isFinite(v), what + " holds " + v + ": every number of a model must be finite");
        }
    }

    private static void check(final boolean condition, final String problem) {
        if (!condition) {
            throw new RejectedInputException(RejectReason.INVALID_COMMAND, problem);
        }
    }

    /** The model's header. */
    public ModelState model() {
        return model;
    }

    /** Every entry to store, names entries included, by index; the header is the last. */
    public List<Map.Entry<Integer, byte[]>> storeEntries() {
        final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries.size() + names.size());
        names.forEach((row, list) -> out.add(Map.entry(ModelStateCodec.namesIndex(row),
                ModelStateCodec.encodeNames(list))));
        entries.forEach((index, value) -> {
            if (index != ModelStateCodec.HEADER_INDEX) {
                out.add(Map.entry(index, value));
            }
        });
        out.add(Map.entry(ModelStateCodec.HEADER_INDEX, entries.get(ModelStateCodec.HEADER_INDEX)));
        return Collections.unmodifiableList(out);
    }

    /** The weight rows, read from the stored bytes. */
    public WeightAccess weights() {
        return new WeightAccess() {
            @Override
            public WeightRow read(final int index) {
                final byte[] value = entries.get(index);
                return value == null || !ModelStateCodec.isRow(index) ? null : ModelStateCodec.decodeRow(value);
            }

            @Override
            public void write(final int index, final WeightRow row) {
                throw new UnsupportedOperationException("a snapshot is read-only");
            }
        };
    }

    /** The indices of the weight rows, ascending (least squares' model-wide row included). */
    public List<Integer> rowIndices() {
        return entries.keySet().stream().filter(ModelStateCodec::isRow).toList();
    }

    /** The names of the features of each row, where known. */
    public SortedMap<Integer, List<String>> names() {
        return Collections.unmodifiableSortedMap(names);
    }

    /**
     * The exported JSON, as {@link ModelJson#writeExport} writes it: every row, by name where
     * known, {@code #index} otherwise, and the {@code "state"} that an import restores.
     */
    public ObjectNode toJson() {
        final java.util.TreeMap<Integer, byte[]> stored = new java.util.TreeMap<>();
        storeEntries().forEach(e -> stored.put(e.getKey(), e.getValue()));
        final TokenBuffer buffer = new TokenBuffer(ModelJson.MAPPER, false);
        try {
            ModelJson.writeExport(buffer, entries.get(ModelStateCodec.HEADER_INDEX), inMemory(stored), () -> false);
            return (ObjectNode) ModelJson.MAPPER.readTree(buffer.asParser());
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // a buffer in memory does not fail
        }
    }

    /** Entries held in memory, as {@link ModelJson#writeExport} reads them. */
    public static ModelJson.StoredEntries inMemory(final java.util.NavigableMap<Integer, byte[]> stored) {
        return (from, to) -> {
            final Iterator<Map.Entry<Integer, byte[]>> it = stored.subMap(from, true, to, true).entrySet().iterator();
            return new ModelJson.EntryRange() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<Integer, byte[]> next() {
                    return it.next();
                }

                @Override
                public void close() {
                    // nothing held
                }
            };
        };
    }
}
