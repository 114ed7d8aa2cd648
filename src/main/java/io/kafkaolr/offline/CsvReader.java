package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The reader of CSV files, shared by {@code olr replay}, {@code olr evaluate} and {@code olr
 * produce}: a header row, one column holding the label, the others features. Cells are trimmed;
 * a missing cell ({@link CsvSchema#missing()}: the empty cell and the declared tokens) is an
 * absent feature. A column declared numeric or categorical has that kind; one declared ignored is
 * left out. Any other column whose every non-missing cell is a number is a numeric feature named
 * by its header, else categorical ({@code header=value}); when most of such a column's cells are
 * numbers (more than half of its non-missing cells), a warning names the column, the line of its
 * first non-number and the declarations that would settle it: a single {@code N/A} among
 * thousands of prices should not silently turn them into thousands of categories.
 */
public final class CsvReader {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
            .setTrim(true).build();
    /** Distinct non-numbers a warning suggests as --na tokens, at most. */
    private static final int SUGGESTED_TOKENS = 5;

    private final String labelColumn;
    private final CsvSchema schema;
    private final Consumer<String> warnings;

    /**
     * A reader of files whose label is {@code labelColumn}, with the declarations of
     * {@code schema}; inference warnings, one line each, go to {@code warnings}.
     */
    public CsvReader(final String labelColumn, final CsvSchema schema, final Consumer<String> warnings) {
        this.labelColumn = Objects.requireNonNull(labelColumn, "labelColumn");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /** Reads a file of labeled examples, each undeclared column's kind decided from its own cells. */
    public CsvDataset examples(final Path file) throws IOException {
        return examples(file, null);
    }

    /** The text of {@code file}, decompressed when its name ends in {@code .gz} (as the shipped datasets are). */
    private static Reader open(final Path file) throws IOException {
        if (!RowFormat.isGzip(file)) {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }
        final InputStream in = Files.newInputStream(file);
        try {
            return new BufferedReader(new InputStreamReader(new GZIPInputStream(in, 1 << 16), StandardCharsets.UTF_8));
        } catch (final IOException e) {
            in.close();
            throw new IOException(file + ": not gzip-compressed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a file of labeled examples; its columns in {@code kinds} (column -> numeric?; may be
     * null) keep those kinds, so that a test file is read as its training file was.
     */
    public CsvDataset examples(final Path file, final Map<String, Boolean> kinds) throws IOException {
        try (Reader reader = open(file)) {
            return read(reader, file.toString(), kinds, true);
        }
    }

    /**
     * Reads a file of events: the label column, when there is one, is left out of the features
     * (and kept as the rows' labels); when there is none, every column is a feature.
     */
    public CsvDataset events(final Path file) throws IOException {
        try (Reader reader = open(file)) {
            return read(reader, file.toString(), null, false);
        }
    }

    /**
     * Reads CSV text; {@code source} names it in messages; {@code kinds} as in
     * {@link #examples(Path, Map)}; {@code labelled}: every row needs a label.
     *
     * @throws IllegalArgumentException when the label column is missing (labelled) or declared,
     *     a declared column is not in the header, a row has no label (labelled), or a numeric
     *     column holds a cell that is neither a number nor missing (naming its line)
     */
    public CsvDataset read(final Reader reader, final String source, final Map<String, Boolean> kinds,
                           final boolean labelled) throws IOException {
        final List<CSVRecord> records;
        final List<String> header;
        try (CSVParser parser = CSVParser.parse(reader, FORMAT)) {
            header = parser.getHeaderNames();
            records = parser.getRecords();
        }
        final boolean hasLabel = header.contains(labelColumn);
        if (labelled && !hasLabel) {
            throw new IllegalArgumentException(source + " has no column '" + labelColumn + "' (columns: " + header
                    + "); name the label column with --label-column");
        }
        checkDeclarations(source, header, hasLabel || labelled);
        final Map<String, Boolean> columns = new LinkedHashMap<>();
        for (final String name : header) {
            if (name.equals(labelColumn) || schema.ignored().contains(name)) {
                continue;
            }
            if (schema.numeric().contains(name)) {
                columns.put(name, true);
            } else if (schema.categorical().contains(name)) {
                columns.put(name, false);
            } else if (kinds != null && kinds.containsKey(name)) {
                columns.put(name, kinds.get(name));
            } else {
                columns.put(name, infer(source, name, records));
            }
        }
        final List<CsvDataset.Row> rows = new ArrayList<>(records.size());
        for (final CSVRecord r : records) {
            final long line = r.getRecordNumber() + 1;
            final Map<String, Double> numeric = new LinkedHashMap<>();
            final Map<String, String> categorical = new LinkedHashMap<>();
            for (final Map.Entry<String, Boolean> column : columns.entrySet()) {
                final String cell = cell(r, column.getKey());
                if (schema.isMissing(cell)) {
                    continue;
                }
                if (column.getValue()) {
                    final Double value = parseNumber(cell);
                    if (value == null) {
                        throw new IllegalArgumentException(source + " line " + line + ": column '" + column.getKey()
                                + "' is numeric but holds '" + cell + "' (if that means a missing value, "
                                + "name it with --na)");
                    }
                    numeric.put(column.getKey(), value);
                } else {
                    categorical.put(column.getKey(), cell);
                }
            }
            final String labelCell = hasLabel ? cell(r, labelColumn) : "";
            final String label = schema.isMissing(labelCell) ? null : labelCell;
            if (labelled && label == null) {
                throw new IllegalArgumentException(source + " line " + line + (labelCell.isEmpty() ? " has no label"
                        : " has the label '" + labelCell + "', which --na names a missing value"));
            }
            rows.add(new CsvDataset.Row(new Features(numeric, categorical), label, line));
        }
        return new CsvDataset(columns, rows);
    }

    private void checkDeclarations(final String source, final List<String> header, final boolean labelIsColumn) {
        for (final String declared : schema.declaredColumns()) {
            if (labelIsColumn && declared.equals(labelColumn)) {
                throw new IllegalArgumentException(source + ": '" + declared + "' is the label column "
                        + "(--label-column); it cannot be declared numeric, categorical or ignored");
            }
            if (!header.contains(declared)) {
                throw new IllegalArgumentException(source + ": declared column '" + declared
                        + "' is not in the header (columns: " + header + ")");
            }
        }
    }

    /** Numeric when every non-missing cell is a number; warns when categorical by a minority of cells. */
    private boolean infer(final String source, final String name, final List<CSVRecord> records) {
        long present = 0;
        long notNumbers = 0;
        long firstLine = -1;
        final Set<String> offending = new LinkedHashSet<>();
        for (final CSVRecord r : records) {
            final String cell = cell(r, name);
            if (schema.isMissing(cell)) {
                continue;
            }
            present++;
            if (parseNumber(cell) == null) {
                notNumbers++;
                if (firstLine < 0) {
                    firstLine = r.getRecordNumber() + 1;
                }
                if (offending.size() < SUGGESTED_TOKENS) {
                    offending.add(cell);
                }
            }
        }
        if (notNumbers > 0 && 2 * (present - notNumbers) > present) {
            warnings.accept(source + ": column '" + name + "' is read as categorical because " + notNumbers
                    + " of its " + present + " non-missing cells " + (notNumbers == 1 ? "is" : "are")
                    + " not a number, the first at line " + firstLine + ": '" + offending.iterator().next()
                    + "'. If such cells mean a missing value, add --na " + String.join(",", offending)
                    + "; if the column is categorical, declare it with --categorical " + name);
        }
        return notNumbers == 0;
    }

    private static String cell(final CSVRecord r, final String column) {
        return r.isSet(column) ? r.get(column) : "";
    }

    private static Double parseNumber(final String cell) {
        try {
            return Double.valueOf(cell);
        } catch (final NumberFormatException e) {
            return null;
        }
    }
}
