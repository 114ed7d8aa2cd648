package io.kafkaolr.offline;

/** Turns one line of a format into a row, or refuses it. */
interface LineParser {
    /**
     * Parses {@code line[0, length)} (no line ending, not blank, valid UTF-8) into {@code out},
     * which was {@link ParsedLine#reset reset} for it; false when the line holds no row (a
     * comment).
     */
    boolean parse(byte[] line, int length, ParsedLine out) throws RejectedLine;

    /** The first index in {@code [from, to)} that is not a space, or {@code to}. */
    static int skipSpaces(final byte[] line, final int from, final int to) {
        int i = from;
        while (i < to && LineNumbers.isSpace(line[i])) {
            i++;
        }
        return i;
    }

    /** The end of the token that starts at {@code from}: the first space at or after it, or {@code to}. */
    static int tokenEnd(final byte[] line, final int from, final int to) {
        int i = from;
        while (i < to && !LineNumbers.isSpace(line[i])) {
            i++;
        }
        return i;
    }

    /** The first index of {@code b} in {@code [from, to)}, or -1. */
    static int indexOf(final byte[] line, final byte b, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
