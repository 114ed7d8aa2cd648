package io.kafkaolr.offline;

import static io.kafkaolr.offline.LineParser.indexOf;
import static io.kafkaolr.offline.LineParser.skipSpaces;
import static io.kafkaolr.offline.LineParser.tokenEnd;

import java.util.Arrays;

/** libsvm / svmlight lines: {@code label [qid:n] index:value ... [# comment]}. */
final class LibsvmLines implements LineParser {
    private static final byte[] QID = {'q', 'i', 'd'};
    private static final int ENDS = 1;
    private static final int COLON = 2;
    /** What each byte is to a feature token: {@link #ENDS} it (a space or '#'), {@link #COLON}, or 0. */
    private static final byte[] TOKEN = new byte[256];

    static {
        for (int b = 0; b < 256; b++) {
            TOKEN[b] = (byte) (LineNumbers.isSpace((byte) b) || b == '#' ? ENDS : b == ':' ? COLON : 0);
        }
    }

    @Override
    public boolean parse(final byte[] line, final int length, final ParsedLine out) throws RejectedLine {
        int i = skipSpaces(line, 0, length);
        if (i == length || line[i] == '#') {
            return false;
        }
        int tokenEnd = tokenEnd(line, i, length);
        if (indexOf(line, (byte) '#', i, tokenEnd) >= 0) {
            tokenEnd = indexOf(line, (byte) '#', i, tokenEnd);
        }
        if (indexOf(line, (byte) ':', i, tokenEnd) >= 0) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL,
                    "the line starts with a feature: " + LineNumbers.text(line, i, tokenEnd));
        }
        LineNumbers.label(line, i, tokenEnd);
        out.label(i, tokenEnd);
        boolean first = true;
        i = skipSpaces(line, tokenEnd, length);
        while (i < length && line[i] != '#') {
            // one pass over the token finds its end, its ':' and a '#' that starts a comment inside it
            int colon = -1;
            int end = i;
            for (int kind; end < length && (kind = TOKEN[line[end] & 0xFF]) != ENDS; end++) {
                if (kind == COLON && colon < 0) {
                    colon = end;
                }
            }
            if (colon < 0) {
                throw new RejectedLine(RowRejection.Reason.BAD_VALUE,
                        "no ':' in '" + LineNumbers.text(line, i, end) + "'");
            }
            if (first && colon - i == QID.length && Arrays.equals(line, i, colon, QID, 0, QID.length)) {
                // a ranking query id: it groups rows, it is not a feature
                LineNumbers.index(line, colon + 1, end);
            } else {
                final int canonical = LineNumbers.index(line, i, colon);
                final double value = LineNumbers.parse(line, colon + 1, end);
                if (!Double.isFinite(value)) {
                    throw LineNumbers.refusal(line, colon + 1, end, value,
                            "feature " + LineNumbers.text(line, i, colon));
                }
                if (!out.add(0, 0, canonical, colon, value)) {
                    throw new RejectedLine(RowRejection.Reason.DUPLICATE_FEATURE,
                            "index " + LineNumbers.text(line, i, colon) + " appears twice");
                }
            }
            first = false;
            i = skipSpaces(line, end, length);
        }
        return true;
    }
}
