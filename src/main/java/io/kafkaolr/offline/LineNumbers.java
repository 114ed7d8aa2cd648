package io.kafkaolr.offline;

import java.util.Locale;
import java.util.regex.Pattern;

/** Strict number parsing for text formats: plain decimals only, with NaN and infinities told apart. */
final class LineNumbers {
    // Double.parseDouble would also take "1d", "0x1p3" and surrounding spaces; a file holding those is broken
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NOT_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)");
    private static final Pattern INDEX = Pattern.compile("[+-]?\\d+");

    private LineNumbers() {
    }

    /** A finite value; {@code what} names it in the refusal. */
    static double value(final String text, final String what) throws RejectedLine {
        if (text.isEmpty()) {
            throw new RejectedLine(RowRejection.Reason.BAD_VALUE, what + " has no value after ':'");
        }
        if (!DECIMAL.matcher(text).matches()) {
            if (NOT_FINITE.matcher(text.toLowerCase(Locale.ROOT)).matches()) {
                throw new RejectedLine(RowRejection.Reason.NOT_FINITE, what + " is " + text);
            }
            throw new RejectedLine(RowRejection.Reason.BAD_VALUE, what + " is not a number: '" + text + "'");
        }
        final double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            throw new RejectedLine(RowRejection.Reason.NOT_FINITE, what + " overflows: " + text);
        }
        return value;
    }

    /** A label: any finite number, kept as written. */
    static String label(final String text) throws RejectedLine {
        if (!DECIMAL.matcher(text).matches() || !Double.isFinite(Double.parseDouble(text))) {
            throw new RejectedLine(RowRejection.Reason.BAD_LABEL, "the label is not a finite number: '" + text + "'");
        }
        return text;
    }

    /** A libsvm index (0 or more), as its canonical name: {@code 007} and {@code 7} are one feature. */
    static String index(final String text) throws RejectedLine {
        if (!INDEX.matcher(text).matches()) {
            throw new RejectedLine(RowRejection.Reason.BAD_INDEX, "the index is not a whole number: '" + text + "'");
        }
        final long index;
        try {
            index = Long.parseLong(text);
        } catch (final NumberFormatException e) {
            throw new RejectedLine(RowRejection.Reason.BAD_INDEX, "the index is too large: " + text);
        }
        if (index < 0) {
            throw new RejectedLine(RowRejection.Reason.BAD_INDEX, "the index is negative: " + text);
        }
        return Long.toString(index);
    }
}
