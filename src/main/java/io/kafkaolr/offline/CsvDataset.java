package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A labeled CSV file: a header row, one column holding the label, the others features, read by
 * {@link CsvReader}. Without declarations, a column whose every non-empty cell is a number
 * becomes a numeric feature named by its header; any other column is categorical
 * ({@code header=value}). Empty cells are absent features.
 *
 * @param columns the feature columns, in file order, with their kinds (true: numeric)
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
        return undeclared(labelColumn).examples(file, kinds);
    }

    /**
     * Reads a file of events: the label column, when there is one, is left out of the features
     * (and kept as the rows' labels); when there is none, every column is a feature.
     */
    public static CsvDataset readEvents(final Path file, final String labelColumn) throws IOException {
        return undeclared(labelColumn).events(file);
    }

    /** Reads CSV text; {@code source} names it in error messages. */
    public static CsvDataset read(final Reader reader, final String source, final String labelColumn,
                                  final Map<String, Boolean> kinds) throws IOException {
        return undeclared(labelColumn).read(reader, source, kinds, true);
    }

    /** A reader with nothing declared, whose inference warnings are dropped (files the code base ships or writes). */
    private static CsvReader undeclared(final String labelColumn) {
        return new CsvReader(labelColumn, CsvSchema.NONE, warning -> { });
    }
}
