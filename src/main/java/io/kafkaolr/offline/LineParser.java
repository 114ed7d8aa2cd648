package io.kafkaolr.offline;

/** Turns one line of a format into a row, or refuses it. */
interface LineParser {
    /**
     * The row on {@code line} (blank and comment lines are filtered out before), or null when
     * the line holds no row after all (a libsvm line that is only a comment).
     */
    LabeledRow parse(String line, long number) throws RejectedLine;

    /** Whether the line is a comment line, skipped without being parsed. */
    boolean isComment(String line);
}
