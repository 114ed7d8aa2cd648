package io.kafkaolr.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The exported JSON of a model as kafka-olr built it before exports were streamed: a tree in
 * memory, from every entry of the model. The reference that {@link ModelJson#writeExport} must
 * equal, byte for byte.
 */
public final class ExportTreeOracle {
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = ModelJson.MAPPER;

    private ExportTreeOracle() {
    }

    /** The export of the stored entries of one model (index to bytes, names entries included). */
    public static ObjectNode export(final Map<Integer, byte[]> stored) {
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        final SortedMap<Integer, List<String>> names = new TreeMap<>();
        stored.forEach((index, value) -> {
            if (ModelStateCodec.isNames(index)) {
                names.put(ModelStateCodec.namedRow(index), ModelStateCodec.decodeNames(value));
            } else {
                entries.put(index, value);
            }
        });
        final ModelState model = ModelStateCodec.decodeHeader(entries.get(ModelStateCodec.HEADER_INDEX));
        final SortedMap<Integer, List<String>> allRows = new TreeMap<>();
        for (final int index : entries.keySet()) {
            if (ModelStateCodec.isRow(index) && index != FeatureHasher.FIRST_MODEL_ROW) {
                allRows.put(index, names.getOrDefault(index, List.of("#" + index)));
            }
        }
        final ObjectNode root = export(model, allRows, entries);
        final ObjectNode state = root.putObject("state");
        entries.forEach((index, value) -> state.put(String.valueOf(index), Base64.getEncoder().encodeToString(value)));
        return root;
    }

    /**
     * The JSON of {@code model}.
     *
     * @param names hashed index to the feature names that produced it (numeric features by
     *     name, categorical ones as {@code name=value}), in a stable order
     * @param weights the model's weight rows
     */
    private static ObjectNode export(final ModelState model, final SortedMap<Integer, List<String>> names,
                                     final SortedMap<Integer, byte[]> entries) {
        final ObjectNode root = MAPPER.createObjectNode();
        final ModelSettings s = model.settings();
        final boolean binary = s.type() == ModelType.BINARY;
        ModelJson.putKind(root, model);
        root.put("hash_bits", s.hashBits());
        final double[] modelBias = OnlineLogisticRegression.bias(model);
        if (binary) {
            root.put("bias", modelBias[0]);
        } else {
            final ObjectNode bias = root.putObject("bias");
            for (int k = 0; k < model.classes().size(); k++) {
                bias.put(model.classes().get(k), k < modelBias.length ? modelBias[k] : 0.0);
            }
        }
        final ObjectNode out = root.putObject("weights");
        final ObjectNode collisions = MAPPER.createObjectNode();
        final ObjectNode scales = MAPPER.createObjectNode();
        final ObjectNode means = MAPPER.createObjectNode();
        for (final Map.Entry<Integer, List<String>> entry : names.entrySet()) {
            final WeightRow row = ModelStateCodec.decodeRow(entries.get(entry.getKey()));
            if (row == null) {
                continue;
            }
            if (entry.getValue().size() > 1) {
                final var shared = collisions.putArray(String.valueOf(entry.getKey()));
                entry.getValue().forEach(shared::add);
            }
            final double[] w = OnlineLogisticRegression.weights(model, row);
            for (final String name : entry.getValue()) {
                if (s.normalize()) {
                    scales.put(name, row.scale());
                }
                if (row.standardizedAt(model.version())) {
                    means.put(name, row.mean());
                }
                if (binary) {
                    out.put(name, w[0]);
                } else {
                    final ObjectNode perClass = out.putObject(name);
                    for (int k = 0; k < model.classes().size(); k++) {
                        perClass.put(model.classes().get(k), w[k]);
                    }
                }
            }
        }
        if (s.normalize()) {
            root.set("feature_scales", scales);
        }
        if (!means.isEmpty()) {
            root.set("feature_means", means);
        }
        if (!collisions.isEmpty()) {
            root.set("collisions", collisions);
        }
        root.set("settings", ModelJson.settings(s));
        final ObjectNode metrics = root.putObject("metrics");
        metrics.put("examples", model.metrics().examples());
        ModelJson.putFinite(metrics, "progressive_log_loss", model.metrics().meanLogLoss());
        ModelJson.putFinite(metrics, "progressive_accuracy", model.metrics().accuracy());
        final ObjectNode counts = metrics.putObject("class_counts");
        final long[] classCounts = model.classCounts();
        for (int k = 0; k < classCounts.length; k++) {
            counts.put(model.classes().get(k), classCounts[k]);
        }
        return root;
    }

}
