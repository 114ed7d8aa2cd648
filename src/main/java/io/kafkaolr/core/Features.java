package io.kafkaolr.core;

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
}
