package io.kafkaolr.offline;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A libsvm, Vowpal Wabbit or JSON lines file that {@link Replay} learns or scores one row at a
 * time, never whole in memory.
 *
 * @param file the file (decompressed when its name ends in {@code .gz})
 * @param format its line format
 * @param maxRejected how many refused lines are let pass (malformed lines, labels that do not
 *                    map, rows the model rejects); one more stops the pass with a
 *                    {@link TooManyRejectionsException}
 */
public record SparseInput(Path file, RowFormat format, long maxRejected) {
    public SparseInput {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        if (maxRejected < 0) {
            throw new IllegalArgumentException("the maximum of refused lines must be at least 0, got " + maxRejected);
        }
    }

    /**
     * The sparse input {@code file} is, in {@code format} when given ({@code csv} included), else
     * by its extension; null for a CSV file.
     *
     * @throws IllegalArgumentException for an unknown format or extension
     */
    public static SparseInput of(final Path file, final String format, final long maxRejected) {
        if (format != null) {
            return format.toLowerCase(Locale.ROOT).equals("csv") ? null
                    : new SparseInput(file, RowFormat.named(format), maxRejected);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".csv")) {
            return null;
        }
        try {
            return new SparseInput(file, RowFormat.of(file), maxRejected);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + ": cannot tell the format from the extension"
                    + " (.csv, .svm, .libsvm, .vw or .jsonl, optionally .gz); name it with --input-format", e);
        }
    }
}
