package io.kafkaolr.offline;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Strict number parsing for text formats, on a line's bytes: plain decimals only
 * ({@code [+-]?(d+[.d*]|.d+)([eE][+-]?d+)?}), with NaN and infinities told apart. Nothing is
 * allocated unless the number is refused or needs more than a double's exact integers
 * (then {@link Double#parseDouble} decides, on the same text).
 */
final class LineNumbers {
    /** Powers of ten a double holds exactly: {@code m * 10^e} and {@code m / 10^e} are then rounded once. */
    private static final double[] EXACT_POWERS = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    private static final long MAX_EXACT_INTEGER = 1L << 53;
    /** What {@link #parse} returns for text that is not a plain decimal: a NaN, which no decimal gives. */
    private static final double NOT_DECIMAL = Double.NaN;
    private static final byte[] LONG_MAX = Long.toString(Long.MAX_VALUE).getBytes(StandardCharsets.US_ASCII);

    private LineNumbers() {
    }

    /** The bytes that separate tokens, by value: one load where five comparisons were. */
    private static final boolean[] SPACES = new boolean[256];

    static {
        for (final char c : new char[] {' ', '\t', 0x0B, '\f', '\r'}) {
            SPACES[c] = true;
        }
    }

    /** Whether {@code b} separates tokens: space, tab, vertical tab, form feed, carriage return. */
    static boolean isSpace(final byte b) {
        return SPACES[b & 0xFF];
    }

    /** The text of {@code bytes[from, to)}, for messages. */
    static String text(final byte[] bytes, final int from, final int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    /** A finite value in {@code bytes[from, to)}; {@code what} names it in the refusal. */
    static double value(final byte[] bytes, final int from, final int to, final String what) throws RejectedLine {
        final double value = parse(bytes, from, to);
        if (Double.isFinite(value)) {
            return value;
        }
        throw refusal(bytes, from, to, value, what);
    }

    /**
     * Why {@code bytes[from, to)}, which {@link #parse} made {@code parsed}, is not a finite
     * value; {@code what} names it. For callers that build the name only when it is needed.
     */
    static RejectedLine refusal(final byte[] bytes, final int from, final int to, final double parsed,
                                final String what) {
        if (from == to) {
            return new RejectedLine(RowRejection.Reason.BAD_VALUE, what + " has no value after ':'");
        }
        final String text = text(bytes, from, to);
        if (Double.isNaN(parsed)) {
            if (text.toLowerCase(Locale.ROOT).matches("[+-]?(nan|inf|infinity)")) {
                return new RejectedLine(RowRejection.Reason.NOT_FINITE, what + " is " + text);
            }
            return new RejectedLine(RowRejection.Reason.BAD_VALUE, what + " is not a number: '" + text + "'");
        }
        return new RejectedLine(RowRejection.Reason.NOT_FINITE, what + " overflows: " + text);
    }

    /** Whether {@code bytes[from, to)} is a finite number: a label, kept as written. */
    static void label(final byte[] bytes, final int from, final int to) throws RejectedLine {
        if (!Double.isFinite(parse(bytes, from, to))) {
            throw new RejectedLine(RowRejection.Reason.BAD_LABEL,
                    "the label is not a finite number: '" + text(bytes, from, to) + "'");
        }
    }

    /**
     * The value of the plain decimal {@code bytes[from, to)}, correctly rounded as
     * {@link Double#parseDouble} rounds it; infinite when it overflows, {@link #NOT_DECIMAL}
     * when the text is not a plain decimal.
     */
    static double parse(final byte[] bytes, final int from, final int to) {
        final double plain = parseShort(bytes, from, to);
        return Double.isNaN(plain) ? parseAny(bytes, from, to) : plain;
    }

    /** The most characters {@link #parseShort} takes: its digits then fit a long, with no rounding. */
    private static final int SHORT = 17;

    /**
     * The common case of {@link #parse}, a short decimal without exponent ({@code -0.4878},
     * {@code 31}), on a path with fewer branches; NaN, for {@link #parseAny} to decide, when the text
     * is anything else. At most {@value #SHORT} characters hold at most 17 digits, so the mantissa
     * is every digit and the scale the number of fraction digits, as {@link #parseAny} makes them.
     */
    private static double parseShort(final byte[] bytes, final int from, final int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
            negative = bytes[i] == '-';
            i++;
        }
        if (to - i > SHORT) {
            return NOT_DECIMAL;
        }
        final int start = i;
        long mantissa = 0;
        int d;
        while (i < to && (d = bytes[i] - '0') >= 0 && d <= 9) {
            mantissa = mantissa * 10 + d;
            i++;
        }
        final int integerDigits = i - start;
        int fractionDigits = 0;
        if (i < to && bytes[i] == '.') {
            final int fraction = ++i;
            while (i < to && (d = bytes[i] - '0') >= 0 && d <= 9) {
                mantissa = mantissa * 10 + d;
                i++;
            }
            fractionDigits = i - fraction;
        }
        if (i != to || integerDigits + fractionDigits == 0 || mantissa > MAX_EXACT_INTEGER) {
            return NOT_DECIMAL;
        }
        final double magnitude = fractionDigits == 0 ? mantissa : mantissa / EXACT_POWERS[fractionDigits];
        return negative ? -magnitude : magnitude;
    }

    private static double parseAny(final byte[] bytes, final int from, final int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (bytes[i] == '+' || bytes[i] == '-')) {
            negative = bytes[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0; // significant digits in the mantissa, leading zeros not counted
        int scale = 0; // the decimal exponent the mantissa is to be multiplied by
        boolean exact = true; // false once a non-zero digit did not fit
        int integerDigits = 0;
        for (; i < to && isDigit(bytes[i]); i++, integerDigits++) {
            final int d = bytes[i] - '0';
            if (digits < 18) {
                if (mantissa != 0 || d != 0) {
                    mantissa = mantissa * 10 + d;
                    digits++;
                }
            } else {
                scale++;
                exact &= d == 0;
            }
        }
        int fractionDigits = 0;
        if (i < to && bytes[i] == '.') {
            i++;
            for (; i < to && isDigit(bytes[i]); i++, fractionDigits++) {
                final int d = bytes[i] - '0';
                if (digits < 18) {
                    if (mantissa != 0 || d != 0) {
                        mantissa = mantissa * 10 + d;
                        digits++;
                    }
                    scale--;
                } else {
                    exact &= d == 0;
                }
            }
        }
        if (integerDigits + fractionDigits == 0) {
            return NOT_DECIMAL;
        }
        if (i < to && (bytes[i] == 'e' || bytes[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (bytes[i] == '+' || bytes[i] == '-')) {
                negativeExponent = bytes[i] == '-';
                i++;
            }
            final int exponentStart = i;
            int exponent = 0;
            for (; i < to && isDigit(bytes[i]); i++) {
                // beyond any double's range either way; the slow path below sees the whole text
                exponent = Math.min(exponent * 10 + (bytes[i] - '0'), 100_000);
            }
            if (i == exponentStart) {
                return NOT_DECIMAL;
            }
            scale += negativeExponent ? -exponent : exponent;
        }
        if (i != to) {
            return NOT_DECIMAL;
        }
        final double magnitude;
        if (mantissa == 0) {
            magnitude = 0.0;
        } else if (exact && mantissa <= MAX_EXACT_INTEGER && scale >= -22 && scale <= 22) {
            // Clinger's fast path: both operands exact, so the one operation rounds correctly
            magnitude = scale >= 0 ? mantissa * EXACT_POWERS[scale] : mantissa / EXACT_POWERS[-scale];
        } else {
            return Double.parseDouble(new String(bytes, from, to - from, StandardCharsets.US_ASCII));
        }
        return negative ? -magnitude : magnitude;
    }

    private static boolean isDigit(final byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * A libsvm index (a whole number, 0 or more) in {@code bytes[from, to)}: where its canonical
     * form ({@code 007} and {@code +7} are {@code 7}) starts. The canonical form is
     * {@code bytes[result, to)}.
     */
    static int index(final byte[] bytes, final int from, final int to) throws RejectedLine {
        int i = from;
        final boolean signed = i < to && (bytes[i] == '+' || bytes[i] == '-');
        if (signed) {
            i++;
        }
        if (i == to) {
            throw notWhole(bytes, from, to);
        }
        for (int k = i; k < to; k++) {
            if (!isDigit(bytes[k])) {
                throw notWhole(bytes, from, to);
            }
        }
        while (i < to - 1 && bytes[i] == '0') {
            i++;
        }
        final int length = to - i;
        if (length > LONG_MAX.length || length == LONG_MAX.length
                && Arrays.compare(bytes, i, to, LONG_MAX, 0, LONG_MAX.length) > 0) {
            throw new RejectedLine(RowRejection.Reason.BAD_INDEX, "the index is too large: " + text(bytes, from, to));
        }
        if (bytes[from] == '-' && !(length == 1 && bytes[i] == '0')) {
            throw new RejectedLine(RowRejection.Reason.BAD_INDEX, "the index is negative: " + text(bytes, from, to));
        }
        return i;
    }

    private static RejectedLine notWhole(final byte[] bytes, final int from, final int to) {
        return new RejectedLine(RowRejection.Reason.BAD_INDEX,
                "the index is not a whole number: '" + text(bytes, from, to) + "'");
    }
}
