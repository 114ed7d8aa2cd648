package io.kafkaolr.offline;

import io.kafkaolr.core.ModelType;
import java.util.List;

/**
 * The class a label of a libsvm, VW or JSON lines file stands for.
 *
 * <ul>
 *   <li>Binary models: a label whose value is {@code -1} or {@code 0} is the negative class, one
 *       whose value is {@code 1} the positive class ({@code +1}, {@code 1.0} alike), whatever
 *       the classes are named ({@code --classes no,yes}: {@code -1} is {@code no}). A JSON
 *       lines label that is one of the classes' names is that class first (the records
 *       {@code olr consume} prints carry the class itself). Anything else does not map.</li>
 *   <li>Softmax models: the label text is the class, as written ({@code 3} is class
 *       {@code "3"}, VW multiclass {@code 1..K} are classes {@code "1".."K"}).</li>
 * </ul>
 */
public final class SparseLabels {
    private SparseLabels() {
    }

    /** The class {@code label} stands for, or null when it maps to none. */
    public static String map(final ModelType type, final List<String> classes, final RowFormat format,
                             final String label) {
        if (type != ModelType.BINARY) {
            return label;
        }
        if (format == RowFormat.JSONL && classes.contains(label)) {
            return label;
        }
        final double value;
        try {
            value = Double.parseDouble(label.trim());
        } catch (final NumberFormatException e) {
            return null;
        }
        if (value == -1.0 || value == 0.0) {
            return classes.get(0);
        }
        return value == 1.0 ? classes.get(1) : null;
    }
}
