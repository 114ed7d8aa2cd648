package io.kafkaolr.offline;

import static io.kafkaolr.offline.LineParser.indexOf;
import static io.kafkaolr.offline.LineParser.skipSpaces;
import static io.kafkaolr.offline.LineParser.tokenEnd;

/**
 * Vowpal Wabbit text lines: {@code label [importance] [tag]|namespace[:scale] feature[:value] ... |...}.
 * Feature {@code f} of namespace {@code ns} is the numeric feature {@code ns^f}; in the default
 * namespace (a {@code |} followed by a space) it is just {@code f}.
 */
final class VwLines implements LineParser {
    /** The label, the importance, the tag, and one more to tell that there are too many. */
    private static final int HEADER_TOKENS = 4;

    private final int[] headerFrom = new int[HEADER_TOKENS];
    private final int[] headerTo = new int[HEADER_TOKENS];

    @Override
    public boolean parse(final byte[] line, final int length, final ParsedLine out) throws RejectedLine {
        final int first = skipSpaces(line, 0, length);
        if (first < length && line[first] == '#') {
            // VW itself has no comments; a label never starts with '#', so such a line cannot be a row
            return false;
        }
        final int bar = indexOf(line, (byte) '|', 0, length);
        if (bar < 0) {
            throw new RejectedLine(RowRejection.Reason.MALFORMED, "no '|' before the features");
        }
        int tokens = 0;
        for (int i = skipSpaces(line, 0, bar); i < bar && tokens < HEADER_TOKENS; tokens++) {
            headerFrom[tokens] = i;
            headerTo[tokens] = tokenEnd(line, i, bar);
            i = skipSpaces(line, headerTo[tokens], bar);
        }
        // the tag is the token touching the '|', or one that starts with an apostrophe
        int tagFrom = -1;
        if (tokens > 0 && tokens < HEADER_TOKENS
                && (!LineNumbers.isSpace(line[bar - 1]) || line[headerFrom[tokens - 1]] == '\'')) {
            tokens--;
            tagFrom = headerFrom[tokens] + (line[headerFrom[tokens]] == '\'' ? 1 : 0);
            out.tag(tagFrom, headerTo[tokens]);
        }
        if (tokens == 0) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL, "nothing before '|' but " + (tagFrom >= 0
                    ? "the tag '" + LineNumbers.text(line, tagFrom, headerTo[0]) + "'" : "spaces"));
        }
        if (tokens > 2) {
            throw new RejectedLine(RowRejection.Reason.MALFORMED, "more than label, importance and tag before '|': '"
                    + LineNumbers.text(line, skipSpaces(line, 0, bar), bar).strip() + "'");
        }
        LineNumbers.label(line, headerFrom[0], headerTo[0]);
        out.label(headerFrom[0], headerTo[0]);
        if (tokens == 2) {
            out.importance(importance(line, headerFrom[1], headerTo[1]));
        }
        int from = bar + 1;
        while (true) {
            final int next = indexOf(line, (byte) '|', from, length);
            final int to = next < 0 ? length : next;
            readNamespace(line, from, to, out);
            if (next < 0) {
                return true;
            }
            from = next + 1;
        }
    }

    private static double importance(final byte[] line, final int from, final int to) throws RejectedLine {
        final double importance;
        try {
            importance = LineNumbers.value(line, from, to, "the importance");
        } catch (final RejectedLine e) {
            if (e.reason() == RowRejection.Reason.NOT_FINITE) {
                throw e;
            }
            throw new RejectedLine(RowRejection.Reason.BAD_IMPORTANCE, e.getMessage());
        }
        if (importance < 0) {
            throw new RejectedLine(RowRejection.Reason.BAD_IMPORTANCE,
                    "the importance is negative: " + LineNumbers.text(line, from, to));
        }
        return importance;
    }

    /** The segment {@code line[from, to)} between two bars: a namespace and its features. */
    private static void readNamespace(final byte[] line, final int from, final int to, final ParsedLine out)
            throws RejectedLine {
        final boolean isDefault = from == to || LineNumbers.isSpace(line[from]);
        int nsFrom = 0;
        int nsTo = 0;
        double scale = 1.0;
        int i = skipSpaces(line, from, to);
        if (!isDefault) {
            final int specEnd = tokenEnd(line, from, to);
            final int colon = indexOf(line, (byte) ':', from, specEnd);
            nsFrom = from;
            nsTo = colon < 0 ? specEnd : colon;
            if (colon >= 0) {
                scale = LineNumbers.value(line, colon + 1, specEnd,
                        "the scale of namespace " + LineNumbers.text(line, nsFrom, nsTo));
            }
            i = skipSpaces(line, specEnd, to);
        }
        if (i == to) {
            throw new RejectedLine(RowRejection.Reason.EMPTY_NAMESPACE, nsFrom == nsTo
                    ? "the default namespace has no features"
                    : "namespace " + LineNumbers.text(line, nsFrom, nsTo) + " has no features");
        }
        while (i < to) {
            final int tokenEnd = tokenEnd(line, i, to);
            final int colon = indexOf(line, (byte) ':', i, tokenEnd);
            final int nameEnd = colon < 0 ? tokenEnd : colon;
            if (nameEnd == i) {
                throw new RejectedLine(RowRejection.Reason.BAD_INDEX,
                        "a feature without a name: '" + LineNumbers.text(line, i, tokenEnd) + "'");
            }
            double value = 1.0;
            if (colon >= 0) {
                value = LineNumbers.parse(line, colon + 1, tokenEnd);
                if (!Double.isFinite(value)) {
                    throw LineNumbers.refusal(line, colon + 1, tokenEnd, value,
                            "feature " + fullName(line, nsFrom, nsTo, i, nameEnd));
                }
            }
            value *= scale;
            if (!Double.isFinite(value)) {
                throw new RejectedLine(RowRejection.Reason.NOT_FINITE,
                        "feature " + fullName(line, nsFrom, nsTo, i, nameEnd) + " times its scale overflows");
            }
            if (!out.add(nsFrom, nsTo, i, nameEnd, value)) {
                throw new RejectedLine(RowRejection.Reason.DUPLICATE_FEATURE,
                        "feature " + fullName(line, nsFrom, nsTo, i, nameEnd) + " appears twice");
            }
            i = skipSpaces(line, tokenEnd, to);
        }
    }

    private static String fullName(final byte[] line, final int nsFrom, final int nsTo, final int from, final int to) {
        final String name = LineNumbers.text(line, from, to);
        return nsFrom == nsTo ? name : LineNumbers.text(line, nsFrom, nsTo) + "^" + name;
    }
}
