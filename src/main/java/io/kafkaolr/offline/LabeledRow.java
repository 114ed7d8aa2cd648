package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.util.Objects;

/**
 * One labeled row read from a file by {@link LabeledRowReader}.
 *
 * @param label the label as written in the file (libsvm and VW: the number's text, such as
 *              {@code -1}, {@code +1} or {@code 3}; JSON lines: the record's label)
 * @param importance the row's importance weight, finite and at least 0 (1 where the format has none)
 * @param features the row's features (libsvm and VW: numeric only)
 * @param id the row's identifier where the format carries one (the VW tag, the JSON record's
 *           {@code id}), else null
 * @param line the row's line number in the file, from 1
 */
public record LabeledRow(String label, double importance, Features features, String id, long line) {
    public LabeledRow {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(features, "features");
    }
}
