package io.kafkaolr.offline;

import io.kafkaolr.core.ModelType;
import java.util.List;

/**
 * How the numeric labels of libsvm and VW files name the classes of a binary model. A label
 * that is one of the model's class names is that class; otherwise a label of value -1 or 0
 * ({@code -1}, {@code 0}, {@code -1.0}) names the negative class and one of value 1
 * ({@code 1}, {@code +1}, {@code 1.0}) the positive class. With the default classes {@code 0,1},
 * {@code -1} and {@code 0} are {@code "0"}, {@code +1} and {@code 1} are {@code "1"}. Softmax
 * labels are taken as written: the label's text is the class.
 */
public final class NumericLabels {
    private NumericLabels() {
    }

    /**
     * The class of a binary model with classes {@code [negative, positive]} that {@code label}
     * names, or null when it names neither.
     */
    public static String binary(final String label, final List<String> classes) {
        if (classes.size() != 2) {
            throw new IllegalArgumentException("a binary model has two classes, got " + classes);
        }
        if (classes.contains(label)) {
            return label;
        }
        final double value;
        try {
            value = Double.parseDouble(label);
        } catch (final NumberFormatException e) {
            return null;
        }
        if (value == -1 || value == 0) {
            return classes.get(0);
        }
        return value == 1 ? classes.get(1) : null;
    }

    /**
     * The class of a model of {@code type} with {@code classes} that {@code label} (as a line
     * format writes it) names, or null when it names none: for a binary model, {@link #binary};
     * for softmax, the label text itself.
     */
    public static String of(final ModelType type, final List<String> classes, final String label) {
        return type == ModelType.BINARY ? binary(label, classes) : label;
    }
}
