package io.kafkaolr.cli;

import io.kafkaolr.offline.SparseInput;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How {@code olr replay} and {@code olr evaluate} read their files: the format, and how many refused lines pass. */
public final class InputFileOptions {
    @Option(names = "--input-format", paramLabel = "csv|libsvm|vw|jsonl",
            description = "the format of --train and --test (default: by extension: .csv, .svm or .libsvm, .vw, "
                    + ".jsonl, each optionally .gz)")
    String inputFormat;

    @Option(names = "--max-rejected", paramLabel = "N", description = "libsvm, VW, JSON lines: stop with an error "
            + "(exit code 1) when more than N lines of a file are refused in a pass (default: no limit)")
    Long maxRejected;

    /**
     * {@code file} as a line-format input, or null for a CSV file (which is read whole).
     *
     * @throws IllegalArgumentException for an unknown format or extension
     */
    SparseInput sparse(final Path file) {
        return SparseInput.of(file, inputFormat, maxRejected == null ? Long.MAX_VALUE : maxRejected);
    }
}
