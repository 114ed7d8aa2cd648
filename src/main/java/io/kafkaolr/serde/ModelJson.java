package io.kafkaolr.serde;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.WeightRow;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The exported form of a model, by feature name.
 *
 * <p>Binary: {@code {"type":"binary","classes":[neg,pos],"bias":b,"weights":{"name":w}}};
 * softmax: {@code {"type":"softmax","classes":[...],"bias":{"class":b},
 * "weights":{"name":{"class":w}}}}. Both also carry {@code version}, {@code hash_bits},
 * {@code settings} (what is needed to rebuild the model), {@code metrics} and, for names
 * that share a hashed index, {@code collisions}. Weights are the ones the model serves now
 * (lazy regularisation caught up; averaged SGD's mean), in each feature's own units: a
 * normalised model's weights are divided by the feature's scale, which {@code feature_scales}
 * gives, or, for a standardised feature, by its standard deviation. A standardised feature's
 * mean is in {@code feature_means}: the logit is the bias plus {@code w (x - mean)} for those
 * features and {@code w x} for the others. A feature whose name is not known is written as
 * {@code "#<index>"}.
 */
public final class ModelJson {
    /** The mapper used for exported models; fields in a stable order. */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private ModelJson() {
    }

    /**
     * A model's stored entries, read in index order one range at a time: from a store (as it is
     * read: nothing is held but the entry at hand) or from a snapshot in memory.
     */
    public interface StoredEntries {
        /**
         * The entries whose index is in {@code [from, to]}, ascending; both bounds of one sign, so
         * that the range is one contiguous run of the model's keys. The caller closes it.
         */
        EntryRange range(int from, int to);
    }

    /** An open range of entries ({@code index -> stored bytes}). */
    public interface EntryRange extends Iterator<Map.Entry<Integer, byte[]>>, AutoCloseable {
        @Override
        void close();
    }

    private static final int LAST_FEATURE_ROW = FeatureHasher.FIRST_MODEL_ROW - 1;
    // the AUC window's entries lie between the names entries and the header
    private static final int FIRST_WINDOW_INDEX = ModelStateCodec.namesIndex(FeatureHasher.FIRST_MODEL_ROW) + 1;

    /**
     * Writes the exported JSON of a model to {@code g} as it reads {@code entries}: the readable
     * part (every feature row by name where known, {@code #index} otherwise; see the class comment)
     * and {@code "state"}, every stored entry but the names as base64, which an import restores.
     * Memory: the entry at hand, whatever the model's size; the rows are read once for each part
     * of the document that lists them (weights, scales, means, collisions, state).
     *
     * @param header the model's header as stored: the document's version, bias and metrics, and its
     *     state's entry {@code -1}, even if the model learns while it is written
     * @param stopped checked at each row: when true the export ends with an {@link InterruptedIOException}
     */
    public static void writeExport(final JsonGenerator g, final byte[] header, final StoredEntries entries,
                                   final BooleanSupplier stopped) throws IOException {
        final ModelState model = ModelStateCodec.decodeHeader(header);
        final ModelSettings s = model.settings();
        final boolean binary = s.type() == ModelType.BINARY;
        g.writeStartObject();
        g.writeStringField("type", s.type().name().toLowerCase(Locale.ROOT));
        g.writeArrayFieldStart("classes");
        for (final String c : model.classes()) {
            g.writeString(c);
        }
        g.writeEndArray();
        g.writeNumberField("version", model.version());
        g.writeNumberField("hash_bits", s.hashBits());
        final double[] modelBias = OnlineLogisticRegression.bias(model);
        if (binary) {
            g.writeNumberField("bias", modelBias[0]);
        } else {
            g.writeObjectFieldStart("bias");
            for (int k = 0; k < model.classes().size(); k++) {
                g.writeNumberField(model.classes().get(k), k < modelBias.length ? modelBias[k] : 0.0);
            }
            g.writeEndObject();
        }
        g.writeObjectFieldStart("weights");
        try (NamedRows rows = new NamedRows(entries, stopped)) {
            while (rows.next()) {
                final double[] w = OnlineLogisticRegression.weights(model, rows.row);
                for (final String name : rows.distinctNames()) {
                    if (binary) {
                        g.writeNumberField(name, w[0]);
                    } else {
                        g.writeObjectFieldStart(name);
                        for (int k = 0; k < model.classes().size(); k++) {
                            g.writeNumberField(model.classes().get(k), w[k]);
                        }
                        g.writeEndObject();
                    }
                }
            }
        }
        g.writeEndObject();
        if (s.normalize()) {
            g.writeObjectFieldStart("feature_scales");
            try (NamedRows rows = new NamedRows(entries, stopped)) {
                while (rows.next()) {
                    for (final String name : rows.distinctNames()) {
                        g.writeNumberField(name, rows.row.scale());
                    }
                }
            }
            g.writeEndObject();
        }
        boolean started = false; // written only if some feature has a mean
        try (NamedRows rows = new NamedRows(entries, stopped)) {
            while (rows.next()) {
                if (rows.row.standardizedAt(model.version())) {
                    if (!started) {
                        g.writeObjectFieldStart("feature_means");
                        started = true;
                    }
                    for (final String name : rows.distinctNames()) {
                        g.writeNumberField(name, rows.row.mean());
                    }
                }
            }
        }
        if (started) {
            g.writeEndObject();
        }
        started = false; // only if some row has several names
        try (NamedRows rows = new NamedRows(entries, stopped)) {
            while (rows.next()) {
                if (rows.names.size() > 1) {
                    if (!started) {
                        g.writeObjectFieldStart("collisions");
                        started = true;
                    }
                    g.writeArrayFieldStart(String.valueOf(rows.index));
                    for (final String name : rows.names) {
                        g.writeString(name);
                    }
                    g.writeEndArray();
                }
            }
        }
        if (started) {
            g.writeEndObject();
        }
        g.writeFieldName("settings");
        MAPPER.writeTree(g, settings(s));
        g.writeObjectFieldStart("metrics");
        g.writeNumberField("examples", model.metrics().examples());
        writeFinite(g, "progressive_log_loss", model.metrics().meanLogLoss());
        writeFinite(g, "progressive_accuracy", model.metrics().accuracy());
        g.writeObjectFieldStart("class_counts");
        final long[] classCounts = model.classCounts();
        for (int k = 0; k < classCounts.length; k++) {
            g.writeNumberField(model.classes().get(k), classCounts[k]);
        }
        g.writeEndObject();
        g.writeEndObject();
        // every entry but the names, by index: the AUC window, the header, the rows
        g.writeObjectFieldStart("state");
        final Base64.Encoder base64 = Base64.getEncoder();
        try (EntryRange window = entries.range(FIRST_WINDOW_INDEX, ModelStateCodec.HEADER_INDEX - 1)) {
            while (window.hasNext()) {
                final Map.Entry<Integer, byte[]> e = window.next();
                g.writeStringField(String.valueOf(e.getKey()), base64.encodeToString(e.getValue()));
            }
        }
        g.writeStringField(String.valueOf(ModelStateCodec.HEADER_INDEX), base64.encodeToString(header));
        try (EntryRange rows = entries.range(0, Integer.MAX_VALUE)) {
            while (rows.hasNext()) {
                checkStopped(stopped);
                final Map.Entry<Integer, byte[]> e = rows.next();
                g.writeStringField(String.valueOf(e.getKey()), base64.encodeToString(e.getValue()));
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Writes {@code value}, or null where it is not finite (a mean over no weight): JSON has no NaN. */
    private static void writeFinite(final JsonGenerator g, final String field, final double value)
            throws IOException {
        if (Double.isFinite(value)) {
            g.writeNumberField(field, value);
        } else {
            g.writeNullField(field);
        }
    }

    private static void checkStopped(final BooleanSupplier stopped) throws InterruptedIOException {
        if (stopped.getAsBoolean()) {
            throw new InterruptedIOException("export stopped");
        }
    }

    /**
     * The feature rows of a model in index order (least squares' model-wide row left out), each
     * with the names of its features, {@code #index} for a row without: the rows' range merged
     * with the names entries' range, which lists the rows in the same order.
     */
    private static final class NamedRows implements AutoCloseable {
        private final EntryRange rows;
        private final EntryRange namesRange;
        private final BooleanSupplier stopped;
        private Map.Entry<Integer, byte[]> pendingNames;
        int index;
        WeightRow row;
        List<String> names;

        NamedRows(final StoredEntries entries, final BooleanSupplier stopped) {
            this.stopped = stopped;
            this.rows = entries.range(0, LAST_FEATURE_ROW);
            EntryRange opened = null;
            try {
                opened = entries.range(ModelStateCodec.namesIndex(0), ModelStateCodec.namesIndex(LAST_FEATURE_ROW));
            } finally {
                if (opened == null) {
                    rows.close();
                }
            }
            this.namesRange = opened;
        }

        /** Moves to the next row; false after the last. */
        boolean next() throws InterruptedIOException {
            checkStopped(stopped);
            if (!rows.hasNext()) {
                return false;
            }
            final Map.Entry<Integer, byte[]> e = rows.next();
            index = e.getKey();
            row = ModelStateCodec.decodeRow(e.getValue());
            while (pendingNames == null || ModelStateCodec.namedRow(pendingNames.getKey()) < index) {
                if (!namesRange.hasNext()) {
                    pendingNames = null;
                    break;
                }
                pendingNames = namesRange.next();
            }
            names = pendingNames != null && ModelStateCodec.namedRow(pendingNames.getKey()) == index
                    ? ModelStateCodec.decodeNames(pendingNames.getValue()) : List.of("#" + index);
            return true;
        }

        /**
         * The row's names, each once: an object's fields (a name twice in one row's list, as
         * numeric {@code a=b} and categorical {@code a} = {@code b}, would be one field).
         */
        Collection<String> distinctNames() {
            return names.size() == 1 ? names : new LinkedHashSet<>(names);
        }

        @Override
        public void close() {
            try {
                rows.close();
            } finally {
                namesRange.close();
            }
        }
    }

    /** Puts {@code value}, or null where it is not finite (a mean over no weight): JSON has no NaN. */
    public static void putFinite(final ObjectNode node, final String field, final double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    /** Puts the model's type, classes and version: what every JSON view of a model starts with. */
    public static void putKind(final ObjectNode node, final ModelState model) {
        node.put("type", model.settings().type().name().toLowerCase(Locale.ROOT));
        final var classes = node.putArray("classes");
        model.classes().forEach(classes::add);
        node.put("version", model.version());
    }

    /** The settings of a model, as its JSON gives them. */
    public static ObjectNode settings(final ModelSettings s) {
        final ObjectNode settings = MAPPER.createObjectNode();
        settings.put("type", s.type().name().toLowerCase(Locale.ROOT));
        settings.put("hash_bits", s.hashBits());
        settings.put("optimizer", s.optimizer().name().toLowerCase(Locale.ROOT));
        settings.put("learning_rate", s.learningRate());
        settings.put("schedule", s.schedule().name().toLowerCase(Locale.ROOT));
        settings.put("power_t", s.powerT());
        settings.put("l1", s.l1());
        settings.put("l2", s.l2());
        settings.put("ftrl_beta", s.ftrlBeta());
        settings.put("normalize", s.normalization().name().toLowerCase(Locale.ROOT));
        settings.put("batch_size", s.batchSize());
        settings.put("label_clip", s.labelClip());
        settings.put("max_dimension", s.maxDimension());
        final var initial = settings.putArray("initial_classes");
        s.initialClasses().forEach(initial::add);
        settings.put("allow_new_classes", s.allowNewClasses());
        settings.put("interactions", s.interactions().spec());
        return settings;
    }
}
