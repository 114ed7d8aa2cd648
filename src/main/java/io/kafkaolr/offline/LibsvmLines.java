package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.util.LinkedHashMap;
import java.util.Map;

/** libsvm / svmlight lines: {@code label [qid:n] index:value ... [# comment]}. */
final class LibsvmLines implements LineParser {

    @Override
    public boolean isComment(final String line) {
        return line.stripLeading().startsWith("#");
    }

    @Override
    public LabeledRow parse(final String line, final long number) throws RejectedLine {
        final int hash = line.indexOf('#');
        final String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (content.isEmpty()) {
            return null;
        }
        final String[] tokens = content.split("\\s+");
        if (tokens[0].indexOf(':') >= 0) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL, "the line starts with a feature: " + tokens[0]);
        }
        final String label = LineNumbers.label(tokens[0]);
        final Map<String, Double> numeric = new LinkedHashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            final String token = tokens[i];
            final int colon = token.indexOf(':');
            if (colon < 0) {
                throw new RejectedLine(RowRejection.Reason.BAD_VALUE, "no ':' in '" + token + "'");
            }
            final String key = token.substring(0, colon);
            final String valueText = token.substring(colon + 1);
            if (i == 1 && key.equals("qid")) {
                // a ranking query id: it groups rows, it is not a feature
                LineNumbers.index(valueText);
                continue;
            }
            final String name = LineNumbers.index(key);
            final double value = LineNumbers.value(valueText, "feature " + key);
            if (numeric.putIfAbsent(name, value) != null) {
                throw new RejectedLine(RowRejection.Reason.DUPLICATE_FEATURE, "index " + key + " appears twice");
            }
        }
        return new LabeledRow(label, 1.0, new Features(numeric, Map.of()), null, number);
    }
}
