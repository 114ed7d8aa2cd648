package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The line formats' numbers: read from bytes, each value exactly the double {@link Double#parseDouble} gives. */
class LineNumbersTest {

    private static double parse(final String text) {
        final byte[] bytes = ("  " + text + " ").getBytes(StandardCharsets.US_ASCII);
        return LineNumbers.parse(bytes, 2, 2 + text.length());
    }

    @Test
    void everyPlainDecimalParsesToTheBitsParseDoubleGives() {
        final Random random = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            final StringBuilder text = new StringBuilder();
            if (random.nextInt(3) == 0) {
                text.append(random.nextBoolean() ? '-' : '+');
            }
            final int integerDigits = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 4 : 24);
            for (int d = 0; d < integerDigits; d++) {
                text.append((char) ('0' + (d == 0 && random.nextInt(4) == 0 ? 0 : random.nextInt(10))));
            }
            final int fractionDigits = integerDigits == 0 ? 1 + random.nextInt(20) : random.nextInt(3) == 0 ? 0
                    : random.nextInt(24);
            if (integerDigits == 0 || fractionDigits > 0 || random.nextInt(5) == 0) {
                text.append('.');
            }
            for (int d = 0; d < fractionDigits; d++) {
                text.append((char) ('0' + random.nextInt(10)));
            }
            if (random.nextInt(3) == 0) {
                text.append(random.nextBoolean() ? 'e' : 'E');
                if (random.nextBoolean()) {
                    text.append(random.nextBoolean() ? '-' : '+');
                }
                text.append(random.nextInt(random.nextBoolean() ? 30 : 400));
            }
            final String s = text.toString();
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(parse(s)), s);
        }
    }

    @Test
    void valuesAtTheEdgesOfTheFastPath() {
        for (final String s : List.of("0", "-0", "+0.0", "-0.000e5", "9007199254740992", "9007199254740993",
                "1e22", "1e23", "1e-22", "1e-23", "123456789012345678", "1234567890123456789", "0.1", "0.3",
                "4.9e-324", "2e-324", "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "-1e400",
                "00000000000000000000000001.5", "1.000000000000000000000000000001", "7.", ".5", "1e0000000000000000002")) {
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(parse(s)), s);
        }
    }

    @Test
    void whatIsNotAPlainDecimalIsNotANumber() {
        for (final String s : List.of("", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1d", "1f", "NaN",
                "Infinity", "inf", "1_000", "١", " 1", "1 ", "--1", "1e5.5")) {
            assertTrue(Double.isNaN(parse(s)), s);
        }
    }

    @Test
    void refusalsNameTheValueAndTellNotFiniteFromNotANumber() {
        final byte[] line = "nan;-INF;abc;;1e999".getBytes(StandardCharsets.US_ASCII);
        assertEquals(RowRejection.Reason.NOT_FINITE, assertThrows(RejectedLine.class,
                () -> LineNumbers.value(line, 0, 3, "feature 1")).reason());
        assertEquals(RowRejection.Reason.NOT_FINITE, assertThrows(RejectedLine.class,
                () -> LineNumbers.value(line, 4, 8, "feature 1")).reason());
        final RejectedLine notNumber = assertThrows(RejectedLine.class, () -> LineNumbers.value(line, 9, 12, "f"));
        assertEquals(RowRejection.Reason.BAD_VALUE, notNumber.reason());
        assertEquals("f is not a number: 'abc'", notNumber.getMessage());
        assertEquals("f has no value after ':'",
                assertThrows(RejectedLine.class, () -> LineNumbers.value(line, 13, 13, "f")).getMessage());
        assertEquals("f overflows: 1e999",
                assertThrows(RejectedLine.class, () -> LineNumbers.value(line, 14, 19, "f")).getMessage());
    }

    @Test
    void anIndexIsNamedByItsCanonicalDigits() throws RejectedLine {
        for (final String[] c : new String[][] {{"7", "7"}, {"007", "7"}, {"+7", "7"}, {"0", "0"}, {"000", "0"},
                {"-0", "0"}, {"9223372036854775807", "9223372036854775807"}}) {
            final byte[] bytes = c[0].getBytes(StandardCharsets.US_ASCII);
            final int from = LineNumbers.index(bytes, 0, bytes.length);
            assertEquals(c[1], new String(bytes, from, bytes.length - from, StandardCharsets.US_ASCII), c[0]);
        }
        for (final String bad : List.of("", "+", "-3", "1.5", "x", "9223372036854775808", "1e3", "0x1")) {
            final byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
            assertEquals(RowRejection.Reason.BAD_INDEX,
                    assertThrows(RejectedLine.class, () -> LineNumbers.index(bytes, 0, bytes.length)).reason(), bad);
        }
    }
}
