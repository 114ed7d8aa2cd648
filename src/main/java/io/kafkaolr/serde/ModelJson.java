package io.kafkaolr.serde;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

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
     * The JSON of {@code model}.
     *
     * @param names hashed index to the feature names that produced it (numeric features by
     *     name, categorical ones as {@code name=value}), in a stable order
     * @param weights the model's weight rows
     */
    public static ObjectNode export(final ModelState model, final SortedMap<Integer, List<String>> names,
                                    final WeightAccess weights) {
        final ObjectNode root = MAPPER.createObjectNode();
        final ModelSettings s = model.settings();
        final boolean binary = s.type() == ModelType.BINARY;
        putKind(root, model);
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
            final WeightRow row = weights.read(entry.getKey());
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
        root.set("settings", settings(s));
        final ObjectNode metrics = root.putObject("metrics");
        metrics.put("examples", model.metrics().examples());
        putFinite(metrics, "progressive_log_loss", model.metrics().meanLogLoss());
        putFinite(metrics, "progressive_accuracy", model.metrics().accuracy());
        final ObjectNode counts = metrics.putObject("class_counts");
        final long[] classCounts = model.classCounts();
        for (int k = 0; k < classCounts.length; k++) {
            counts.put(model.classes().get(k), classCounts[k]);
        }
        return root;
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
        return settings;
    }
}
