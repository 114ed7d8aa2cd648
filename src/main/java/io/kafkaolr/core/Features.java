package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The features of one example or event, by name, as they arrive: numeric values and
 * categorical values. Not copied: the maps are the caller's and must not change while used.
 *
 * @param numeric numeric features by name
 * @param categorical categorical features by name
 */
public record Features(Map<String, Double> numeric, Map<String, String> categorical) {
    public Features {
        Objects.requireNonNull(numeric, "numeric");
        Objects.requireNonNull(categorical, "categorical");
    }

    /** Number of features named. */
    public int count() {
        return numeric.size() + categorical.size();
    }

    /**
     * The names the features are hashed by, in the order {@link FeatureHasher#hash} takes them:
     * the numeric ones, then the categorical ones as {@code name=value}.
     */
    public List<String> names() {
        final List<String> names = new ArrayList<>(count());
        names.addAll(numeric.keySet());
        categorical.forEach((name, value) -> names.add(FeatureHasher.categoricalName(name, value)));
        return names;
    }
}
