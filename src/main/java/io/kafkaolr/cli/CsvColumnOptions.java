package io.kafkaolr.cli;

import io.kafkaolr.offline.CsvReader;
import io.kafkaolr.offline.CsvSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * How {@code olr replay}, {@code olr evaluate} and {@code olr produce} read a CSV file: the label
 * column, columns declared numeric, categorical or ignored, the cells that mean a missing value,
 * or all of these in a schema file ({@link CsvSchema}).
 */
public final class CsvColumnOptions {
    @Option(names = "--label-column", defaultValue = "label", paramLabel = "COLUMN",
            description = "CSV: the label column (default: ${DEFAULT-VALUE})")
    String labelColumn;

    @Option(names = "--numeric", split = ",", paramLabel = "COLUMN",
            description = "CSV: read these columns as numbers, whatever their cells look like (a cell that is "
                    + "neither a number nor missing is then an error naming its line)")
    List<String> numeric = new ArrayList<>();

    @Option(names = "--categorical", split = ",", paramLabel = "COLUMN",
            description = "CSV: read these columns as categories (COLUMN=value), even when every cell is a number "
                    + "(an hour 0-23, a zip code)")
    List<String> categorical = new ArrayList<>();

    @Option(names = "--ignore", split = ",", paramLabel = "COLUMN",
            description = "CSV: leave these columns out of the features (an id, a timestamp)")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--na", split = ",", paramLabel = "TOKEN",
            description = "CSV: cells that mean a missing value, in every column: the feature is absent; added to "
                    + "the empty cell, which is always missing; matched exactly, after trimming (e.g. --na NA,N/A,?)")
    List<String> na = new ArrayList<>();

    @Option(names = "--columns-file", paramLabel = "FILE",
            description = "CSV: the same declarations in a file, lines 'numeric: a, b', 'categorical: c', "
                    + "'ignore: e', 'na: NA, ?' (# starts a comment line); added to the options above, a column "
                    + "declared with two kinds is an error; these options are refused for libsvm, VW and JSON lines input")
    Path columnsFile;

    /** The declarations of the schema file and the options together. */
    CsvSchema schema() throws IOException {
        final CsvSchema options = new CsvSchema(stripped(numeric), stripped(categorical), stripped(ignore),
                stripped(na));
        return columnsFile == null ? options : CsvSchema.read(columnsFile).and(options);
    }

    /** The CSV reader these options describe; its warnings go to {@code err}. */
    CsvReader reader(final PrintWriter err) throws IOException {
        return new CsvReader(labelColumn, schema(), warning -> {
            err.println("warning: " + warning);
            err.flush();
        });
    }

    /**
     * Refuses the declarations for {@code file}, an input that is not CSV (null: none): its
     * features are named in the file itself, so they would be ignored.
     *
     * @throws IllegalArgumentException if any of the declaring options is given
     */
    void refuseFor(final Path file) {
        if (file != null && (columnsFile != null || !numeric.isEmpty() || !categorical.isEmpty()
                || !ignore.isEmpty() || !na.isEmpty())) {
            throw new IllegalArgumentException("--numeric, --categorical, --ignore, --na and --columns-file apply to "
                    + "CSV files only, and " + file.getFileName() + " is read as libsvm, VW or JSON lines (name a "
                    + "CSV file's format with --input-format csv)");
        }
    }

    private static Set<String> stripped(final List<String> names) {
        return names.stream().map(String::strip).filter(name -> !name.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
