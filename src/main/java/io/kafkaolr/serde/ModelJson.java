package io.kafkaolr.serde;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
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
 * that share a hashed index, {@code collisions}. Weights are the current ones (lazy L2
 * caught up). A feature whose name is not known is written as {@code "#<index>"}.
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
        root.put("type", s.type().name().toLowerCase(Locale.ROOT));
        final var classes = root.putArray("classes");
        model.classes().forEach(classes::add);
        root.put("version", model.version());
        root.put("hash_bits", s.hashBits());
        if (binary) {
            root.put("bias", model.bias()[0]);
        } else {
            final ObjectNode bias = root.putObject("bias");
            for (int k = 0; k < model.classes().size(); k++) {
                bias.put(model.classes().get(k), k < model.bias().length ? model.bias()[k] : 0.0);
            }
        }
        final ObjectNode out = root.putObject("weights");
        final ObjectNode collisions = MAPPER.createObjectNode();
        for (final Map.Entry<Integer, List<String>> entry : names.entrySet()) {
            final WeightRow row = weights.read(entry.getKey());
            if (row == null) {
                continue;
            }
            if (entry.getValue().size() > 1) {
                final var shared = collisions.putArray(String.valueOf(entry.getKey()));
                entry.getValue().forEach(shared::add);
            }
            for (final String name : entry.getValue()) {
                if (binary) {
                    out.put(name, row.current(0, model.logScale()));
                } else {
                    final ObjectNode perClass = out.putObject(name);
                    for (int k = 0; k < model.classes().size(); k++) {
                        perClass.put(model.classes().get(k), row.current(k, model.logScale()));
                    }
                }
            }
        }
        if (!collisions.isEmpty()) {
            root.set("collisions", collisions);
        }
        final ObjectNode settings = root.putObject("settings");
        settings.put("type", s.type().name().toLowerCase(Locale.ROOT));
        settings.put("hash_bits", s.hashBits());
        settings.put("learning_rate", s.learningRate());
        settings.put("schedule", s.schedule().name().toLowerCase(Locale.ROOT));
        settings.put("power_t", s.powerT());
        settings.put("l2", s.l2());
        final var initial = settings.putArray("initial_classes");
        s.initialClasses().forEach(initial::add);
        settings.put("allow_new_classes", s.allowNewClasses());
        final ObjectNode metrics = root.putObject("metrics");
        metrics.put("examples", model.metrics().examples());
        metrics.put("progressive_log_loss", model.metrics().meanLogLoss());
        metrics.put("progressive_accuracy", model.metrics().accuracy());
        return root;
    }
}
