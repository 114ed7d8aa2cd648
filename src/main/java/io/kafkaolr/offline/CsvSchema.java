package io.kafkaolr.offline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a CSV file's reader is told rather than left to infer: columns declared numeric,
 * categorical or ignored, and the cells that mean "missing" (the feature is then absent). The
 * empty cell is always missing; {@code missing} holds it and the tokens added to it. A declared
 * kind wins over inference; one column may be declared once.
 *
 * <p>The schema file is the options in a file: lines {@code numeric: a, b}, {@code categorical:
 * c}, {@code ignore: e}, {@code na: NA, N/A, ?}; a kind may be given on several lines, each adds
 * to it; blank lines and lines starting with {@code #} are skipped.
 *
 * @param numeric columns read as numbers, whatever their cells look like
 * @param categorical columns read as {@code name=value}, whatever their cells look like
 * @param ignored columns left out of the features
 * @param missing the cells that leave a feature absent (the empty cell among them)
 */
public record CsvSchema(Set<String> numeric, Set<String> categorical, Set<String> ignored, Set<String> missing) {

    /** Nothing declared: kinds inferred, only the empty cell missing. */
    public static final CsvSchema NONE = new CsvSchema(Set.of(), Set.of(), Set.of(), Set.of());

    /** The keys of a schema file's lines. */
    private static final List<String> KEYS = List.of("numeric", "categorical", "ignore", "na");

    /**
     * @throws IllegalArgumentException if a column is declared with two kinds (ignored counts as one)
     */
    public CsvSchema {
        numeric = frozen(numeric);
        categorical = frozen(categorical);
        ignored = frozen(ignored);
        final Set<String> tokens = new LinkedHashSet<>();
        tokens.add("");
        tokens.addAll(missing);
        missing = Collections.unmodifiableSet(tokens);
        twice(numeric, "numeric", categorical, "categorical");
        twice(numeric, "numeric", ignored, "ignored");
        twice(categorical, "categorical", ignored, "ignored");
    }

    /** The declarations of both; a column they declare with different kinds is an error. */
    public CsvSchema and(final CsvSchema other) {
        return new CsvSchema(union(numeric, other.numeric), union(categorical, other.categorical),
                union(ignored, other.ignored), union(missing, other.missing));
    }

    /** Whether anything is declared: a column, or a missing-value token besides the empty cell. */
    public boolean declaresAnything() {
        return !numeric.isEmpty() || !categorical.isEmpty() || !ignored.isEmpty() || missing.size() > 1;
    }

    /** Whether {@code cell} (trimmed, as the reader trims) is a missing value. */
    public boolean isMissing(final String cell) {
        return missing.contains(cell);
    }

    /** Every column named, in the order numeric, categorical, ignored. */
    public Set<String> declaredColumns() {
        return union(union(numeric, categorical), ignored);
    }

    /**
     * Reads a schema file (see the class comment).
     *
     * @throws IllegalArgumentException for a line that is not {@code key: values} with a known
     *     key, naming the file and the line, or for a column declared with two kinds
     */
    public static CsvSchema read(final Path file) throws IOException {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        final List<Set<String>> values = List.of(new LinkedHashSet<>(), new LinkedHashSet<>(),
                new LinkedHashSet<>(), new LinkedHashSet<>());
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final int colon = line.indexOf(':');
            final int key = colon < 0 ? -1 : KEYS.indexOf(line.substring(0, colon).strip().toLowerCase(Locale.ROOT));
            if (key < 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 'numeric: COLUMN, ...', "
                        + "'categorical: ...', 'ignore: ...' or 'na: TOKEN, ...', got '" + line + "'");
            }
            values.get(key).addAll(split(line.substring(colon + 1)));
        }
        try {
            return new CsvSchema(values.get(0), values.get(1), values.get(2), values.get(3));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The comma-separated names of {@code text}, trimmed, empty ones dropped (the empty cell is always missing). */
    private static List<String> split(final String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static void twice(final Set<String> a, final String aKind, final Set<String> b, final String bKind) {
        for (final String column : a) {
            if (b.contains(column)) {
                throw new IllegalArgumentException("column '" + column + "' is declared both " + aKind + " and "
                        + bKind + "; declare it once");
            }
        }
    }

    private static Set<String> frozen(final Collection<String> names) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(names));
    }

    private static Set<String> union(final Set<String> a, final Set<String> b) {
        final Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }
}
