package io.kafkaolr.offline;

import static io.kafkaolr.offline.LineParser.indexOf;
import static io.kafkaolr.offline.LineParser.skipSpaces;
import static io.kafkaolr.offline.LineParser.tokenEnd;

import java.util.Arrays;

/** libsvm / svmlight lines: {@code label [qid:n] index:value ... [# comment]}. */
final class LibsvmLines implements LineParser {
    private static final byte[] QID = {'q', 'i', 'd'};

    @Override
    public boolean parse(final byte[] line, final int length, final ParsedLine out) throws RejectedLine {
        final int comment = indexOf(line, (byte) '#', 0, length);
        final int end = comment >= 0 ? comment : length;
        int i = skipSpaces(line, 0, end);
        if (i == end) {
            return false;
        }
        final int labelEnd = tokenEnd(line, i, end);
        if (indexOf(line, (byte) ':', i, labelEnd) >= 0) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL,
                    "the line starts with a feature: " + LineNumbers.text(line, i, labelEnd));
        }
        LineNumbers.label(line, i, labelEnd);
        out.label(i, labelEnd);
        i = skipSpaces(line, labelEnd, end);
        boolean first = true;
        while (i < end) {
            final int tokenEnd = tokenEnd(line, i, end);
            final int colon = indexOf(line, (byte) ':', i, tokenEnd);
            if (colon < 0) {
                throw new RejectedLine(RowRejection.Reason.BAD_VALUE,
                        "no ':' in '" + LineNumbers.text(line, i, tokenEnd) + "'");
            }
            if (first && colon - i == QID.length && Arrays.equals(line, i, colon, QID, 0, QID.length)) {
                // a ranking query id: it groups rows, it is not a feature
                LineNumbers.index(line, colon + 1, tokenEnd);
            } else {
                final int canonical = LineNumbers.index(line, i, colon);
                final double value = LineNumbers.parse(line, colon + 1, tokenEnd);
                if (!Double.isFinite(value)) {
                    throw LineNumbers.refusal(line, colon + 1, tokenEnd, value,
                            "feature " + LineNumbers.text(line, i, colon));
                }
                if (!out.add(0, 0, canonical, colon, value)) {
                    throw new RejectedLine(RowRejection.Reason.DUPLICATE_FEATURE,
                            "index " + LineNumbers.text(line, i, colon) + " appears twice");
                }
            }
            first = false;
            i = skipSpaces(line, tokenEnd, end);
        }
        return true;
    }
}
