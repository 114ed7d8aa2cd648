package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A labeled CSV file: a header row, one column holding the label, the others features. A
 * column whose every non-empty cell is a number becomes a numeric feature named by its header;
 * any other column is categorical ({@code header=value}). Empty cells are absent features.
 *
 * @param columns the feature columns, in file order, with their kinds
 * @param rows the rows in file order
 */
public record CsvDataset(Map<String, Boolean> columns, List<Row> rows) {

    /**
     * One row.
     *
     * @param features the row's features
     * @param label the label cell (null where the file has no label column: events)
     * @param line the line number in the file (1 = header)
     */
    public record Row(Features features, String label, long line) {
    }

    /** Reads a file, deciding each column's kind from its own cells. */
    public static CsvDataset read(final Path file, final String labelColumn) throws IOException {
        return read(file, labelColumn, null);
    }

    /**
     * Reads a file; when {@code kinds} is given (column -> numeric?), the columns keep those
     * kinds, so that a test file is read as its training file was.
     */
    public static CsvDataset read(final Path file, final String labelColumn, final Map<String, Boolean> kinds)
            throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString(), labelColumn, kinds);
        }
    }

    /**
     * Reads a file of events: the label column, when there is one, is left out of the features
     * (and kept as the rows' labels); when there is none, every column is a feature.
     */
    public static CsvDataset readEvents(final Path file, final String labelColumn) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString(), labelColumn, null, false);
        }
    }

    /** Reads CSV text; {@code source} names it in error messages. */
    public static CsvDataset read(final Reader reader, final String source, final String labelColumn,
                                  final Map<String, Boolean> kinds) throws IOException {
        return read(reader, source, labelColumn, kinds, true);
    }

    private static CsvDataset read(final Reader reader, final String source, final String labelColumn,
                                   final Map<String, Boolean> kinds, final boolean labelled) throws IOException {
        final CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                .setTrim(true).build();
        final List<CSVRecord> records;
        final List<String> header;
        try (CSVParser parser = CSVParser.parse(reader, format)) {
            header = parser.getHeaderNames();
            records = parser.getRecords();
        }
        final boolean hasLabel = header.contains(labelColumn);
        if (labelled && !hasLabel) {
            throw new IllegalArgumentException(source + " has no column '" + labelColumn + "' (columns: " + header
                    + "); name the label column with --label-column");
        }
        final Map<String, Boolean> columns = new LinkedHashMap<>();
        for (final String name : header) {
            if (name.equals(labelColumn)) {
                continue;
            }
            if (kinds != null && kinds.containsKey(name)) {
                columns.put(name, kinds.get(name));
            } else {
                boolean numeric = true;
                for (final CSVRecord r : records) {
                    final String cell = r.isSet(name) ? r.get(name) : "";
                    if (!cell.isEmpty() && parseNumber(cell) == null) {
                        numeric = false;
                        break;
                    }
                }
                columns.put(name, numeric);
            }
        }
        final List<Row> rows = new ArrayList<>(records.size());
        for (final CSVRecord r : records) {
            final Map<String, Double> numeric = new LinkedHashMap<>();
            final Map<String, String> categorical = new LinkedHashMap<>();
            for (final Map.Entry<String, Boolean> column : columns.entrySet()) {
                final String cell = r.isSet(column.getKey()) ? r.get(column.getKey()) : "";
                if (cell.isEmpty()) {
                    continue;
                }
                if (column.getValue()) {
                    final Double value = parseNumber(cell);
                    if (value == null) {
                        throw new IllegalArgumentException(source + " line " + (r.getRecordNumber() + 1)
                                + ": column '" + column.getKey() + "' is numeric but holds '" + cell + "'");
                    }
                    numeric.put(column.getKey(), value);
                } else {
                    categorical.put(column.getKey(), cell);
                }
            }
            final String label = hasLabel && r.isSet(labelColumn) ? r.get(labelColumn) : null;
            if (labelled && (label == null || label.isEmpty())) {
                throw new IllegalArgumentException(source + " line " + (r.getRecordNumber() + 1) + " has no label");
            }
            rows.add(new Row(new Features(numeric, categorical), label, r.getRecordNumber() + 1));
        }
        return new CsvDataset(columns, rows);
    }

    private static Double parseNumber(final String cell) {
        try {
            return Double.valueOf(cell);
        } catch (final NumberFormatException e) {
            return null;
        }
    }
}
