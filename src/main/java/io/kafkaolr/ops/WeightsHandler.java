package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /models/{id}/weights?top=N[&by=scaled]} for a model this instance holds: its
 * {@code top} largest weights by magnitude, per unit or per scale, read from the store as it goes
 * ({@link LocalModels#topWeights}).
 */
final class WeightsHandler {
    private static final int DEFAULT_TOP = 20;
    /** Bounds the heap an answer holds: the weights ranked are kept until the pass over the rows ends. */
    private static final int MAX_TOP = 10_000;

    private final LocalModels models;
    private final String instance;

    /** @param instance this instance's {@code host:port}, which every answer names */
    WeightsHandler(final LocalModels models, final String instance) {
        this.models = models;
        this.instance = instance;
    }

    /**
     * The weights of {@code modelId} in {@code source}; 404 if it was deleted since it was listed.
     *
     * @throws IllegalArgumentException for a {@code top} or {@code by} out of bounds (400)
     */
    Reply topWeights(final String modelId, final LocalModels.Source source, final Map<String, String> query) {
        final int top = query.containsKey("top") ? parseTop(query.get("top")) : DEFAULT_TOP;
        final String by = query.getOrDefault("by", "weight");
        if (!by.equals("weight") && !by.equals("scaled")) {
            throw new IllegalArgumentException("by must be 'weight' (per unit) or 'scaled' (per scale), got '"
                    + by + "'");
        }
        final Optional<ObjectNode> weights = models.topWeights(modelId, source, top, by.equals("scaled"));
        if (weights.isEmpty()) {
            return Reply.notFound("no model '" + modelId + "'");
        }
        final ObjectNode node = weights.get();
        node.put("instance", instance);
        return Reply.json(200, node);
    }

    private static int parseTop(final String value) {
        final int top;
        try {
            top = Integer.parseInt(value);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("top must be an integer in [1, " + MAX_TOP + "], got '" + value + "'");
        }
        if (top < 1 || top > MAX_TOP) {
            throw new IllegalArgumentException("top must be in [1, " + MAX_TOP + "], got " + top);
        }
        return top;
    }
}
