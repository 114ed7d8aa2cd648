package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Vowpal Wabbit text lines: {@code label [importance] [tag]|namespace[:scale] feature[:value] ... |...}.
 * Feature {@code f} of namespace {@code ns} is the numeric feature {@code ns^f}; in the default
 * namespace (a {@code |} followed by a space) it is just {@code f}.
 */
final class VwLines implements LineParser {

    @Override
    public boolean isComment(final String line) {
        // VW itself has no comments; a label never starts with '#', so such a line cannot be a row
        return line.stripLeading().startsWith("#");
    }

    @Override
    public LabeledRow parse(final String line, final long number) throws RejectedLine {
        final int bar = line.indexOf('|');
        if (bar < 0) {
            throw new RejectedLine(RowRejection.Reason.MALFORMED, "no '|' before the features");
        }
        final String header = line.substring(0, bar);
        String[] tokens = header.isBlank() ? new String[0] : header.strip().split("\\s+");
        String tag = null;
        // the tag is the token touching the '|', or one that starts with an apostrophe
        if (tokens.length > 0 && (!Character.isWhitespace(header.charAt(header.length() - 1))
                || tokens[tokens.length - 1].startsWith("'"))) {
            tag = tokens[tokens.length - 1];
            if (tag.startsWith("'")) {
                tag = tag.substring(1);
            }
            tokens = Arrays.copyOf(tokens, tokens.length - 1);
        }
        if (tokens.length == 0) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL, "nothing before '|' but "
                    + (tag == null ? "spaces" : "the tag '" + tag + "'"));
        }
        if (tokens.length > 2) {
            throw new RejectedLine(RowRejection.Reason.MALFORMED,
                    "more than label, importance and tag before '|': '" + header.strip() + "'");
        }
        final String label = LineNumbers.label(tokens[0]);
        final double importance = tokens.length == 2 ? importance(tokens[1]) : 1.0;
        final Map<String, Double> numeric = new LinkedHashMap<>();
        for (final String segment : line.substring(bar + 1).split("\\|", -1)) {
            readNamespace(segment, numeric);
        }
        return new LabeledRow(label, importance, new Features(numeric, Map.of()), tag, number);
    }

    private static double importance(final String text) throws RejectedLine {
        final double importance;
        try {
            importance = LineNumbers.value(text, "the importance");
        } catch (final RejectedLine e) {
            if (e.reason() == RowRejection.Reason.NOT_FINITE) {
                throw e;
            }
            throw new RejectedLine(RowRejection.Reason.BAD_IMPORTANCE, e.getMessage());
        }
        if (importance < 0) {
            throw new RejectedLine(RowRejection.Reason.BAD_IMPORTANCE, "the importance is negative: " + text);
        }
        return importance;
    }

    private static void readNamespace(final String segment, final Map<String, Double> numeric) throws RejectedLine {
        final boolean isDefault = segment.isEmpty() || Character.isWhitespace(segment.charAt(0));
        final String[] tokens = segment.isBlank() ? new String[0] : segment.strip().split("\\s+");
        String namespace = "";
        double scale = 1.0;
        int first = 0;
        if (!isDefault) {
            final String spec = tokens[0];
            final int colon = spec.indexOf(':');
            namespace = colon < 0 ? spec : spec.substring(0, colon);
            if (colon >= 0) {
                scale = LineNumbers.value(spec.substring(colon + 1), "the scale of namespace " + namespace);
            }
            first = 1;
        }
        if (tokens.length == first) {
            throw new RejectedLine(RowRejection.Reason.EMPTY_NAMESPACE,
                    namespace.isEmpty() ? "the default namespace has no features" : "namespace " + namespace
                            + " has no features");
        }
        for (int i = first; i < tokens.length; i++) {
            final String token = tokens[i];
            final int colon = token.indexOf(':');
            final String name = colon < 0 ? token : token.substring(0, colon);
            if (name.isEmpty()) {
                throw new RejectedLine(RowRejection.Reason.BAD_INDEX, "a feature without a name: '" + token + "'");
            }
            final String full = namespace.isEmpty() ? name : namespace + "^" + name;
            final double value = (colon < 0 ? 1.0 : LineNumbers.value(token.substring(colon + 1), "feature " + full))
                    * scale;
            if (!Double.isFinite(value)) {
                throw new RejectedLine(RowRejection.Reason.NOT_FINITE, "feature " + full + " times its scale overflows");
            }
            if (numeric.putIfAbsent(full, value) != null) {
                throw new RejectedLine(RowRejection.Reason.DUPLICATE_FEATURE, "feature " + full + " appears twice");
            }
        }
    }
}
