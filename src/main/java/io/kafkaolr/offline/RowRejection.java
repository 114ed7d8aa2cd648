package io.kafkaolr.offline;

/**
 * A line of a file that {@link LabeledRowReader} refused, and why. Reading goes on after it.
 *
 * @param line the line number, from 1
 * @param reason why, from a fixed set (what rejections are counted by)
 * @param detail the offending text or value, for a person to read
 */
public record RowRejection(long line, Reason reason, String detail) {

    /** Why a line was refused. */
    public enum Reason {
        /** No label: nothing before the features (libsvm, VW), or a JSON record without one. */
        MISSING_LABEL,
        /** The label is not a finite number (libsvm, VW). */
        BAD_LABEL,
        /** The VW importance is not a number, or is negative; a JSON record's importance is negative. */
        BAD_IMPORTANCE,
        /** A libsvm index that is not a whole number of at least 0, or an empty VW feature name. */
        BAD_INDEX,
        /** A value that is not a number, or a {@code :} with nothing after it. */
        BAD_VALUE,
        /** A value (or a VW namespace scale, or importance) that is NaN or infinite, or overflows a double. */
        NOT_FINITE,
        /** One feature twice in one line. */
        DUPLICATE_FEATURE,
        /** A VW namespace with no features. */
        EMPTY_NAMESPACE,
        /** A VW line without {@code |}, or with more than label, importance and tag before it. */
        MALFORMED,
        /** A line longer than the reader's limit; the rest of it is skipped unread into memory. */
        LINE_TOO_LONG,
        /** A JSON line that is not one JSON object. */
        UNPARSEABLE_JSON,
        /** A JSON object that is not a labeled example (unknown or ill-typed field). */
        INVALID_RECORD,
        /** A line whose bytes are not UTF-8: its names cannot be read as the text they were meant to be. */
        NOT_UTF8
    }
}
