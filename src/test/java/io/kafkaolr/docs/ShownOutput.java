package io.kafkaolr.docs;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the output a README block shows with what a command printed. The shown text is
 * literal, except:
 * <ul>
 *   <li>whitespace: any run of it matches any run, or none (long lines may be wrapped and
 *       indented), but the printed output may have whitespace only where the shown one has;</li>
 *   <li>{@code ...} matches any text, also across lines (output left out);</li>
 *   <li>{@code <n>} matches any number (a time, a rate, a port);</li>
 *   <li>a number with decimals, such as {@code 0.1110}, matches any number that rounds to it at
 *       that many decimals (0.11102243...), so figures may be shown rounded and are still checked.</li>
 * </ul>
 */
public final class ShownOutput {
    private static final String NUMBER = "-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?";
    private static final Pattern TOKEN = Pattern.compile("\\.\\.\\.|<n>|\\s+|(?<![\\d.])-?\\d+\\.\\d+(?![.\\d])");

    private ShownOutput() {
    }

    /** Null when {@code printed} is what {@code shown} shows, else what differs. */
    public static String mismatch(final String shown, final String printed) {
        final StringBuilder regex = new StringBuilder();
        final List<BigDecimal> rounded = new ArrayList<>();
        final Matcher token = TOKEN.matcher(shown.strip());
        int last = 0;
        final String text = shown.strip();
        while (token.find()) {
            regex.append(Pattern.quote(text.substring(last, token.start())).replace("\\Q\\E", ""));
            final String t = token.group();
            if (t.equals("...")) {
                regex.append("[\\s\\S]*?");
            } else if (t.equals("<n>")) {
                regex.append(NUMBER);
            } else if (t.isBlank()) {
                regex.append("\\s*");
            } else {
                regex.append('(').append(NUMBER).append(')');
                rounded.add(new BigDecimal(t));
            }
            last = token.end();
        }
        regex.append(Pattern.quote(text.substring(last)));
        final Matcher m = Pattern.compile(regex.toString()).matcher(printed.strip());
        if (!m.matches()) {
            return "shown:\n" + shown + "printed:\n" + printed;
        }
        for (int i = 0; i < rounded.size(); i++) {
            final BigDecimal want = rounded.get(i);
            final BigDecimal got = new BigDecimal(m.group(i + 1));
            final BigDecimal halfUlp = BigDecimal.ONE.movePointLeft(want.scale()).divide(BigDecimal.valueOf(2));
            if (got.subtract(want).abs().compareTo(halfUlp) > 0) {
                return "printed " + got + " where " + want + " is shown\nshown:\n" + shown + "printed:\n" + printed;
            }
        }
        return null;
    }
}
