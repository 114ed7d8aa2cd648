package io.kafkaolr.offline;

import java.nio.file.Path;
import java.util.Locale;

/** The line formats {@link LabeledRowReader} reads; see the README's "File formats" section. */
public enum RowFormat {
    /** libsvm / svmlight: {@code label index:value ...}; index j is the numeric feature "j". */
    LIBSVM,
    /** Vowpal Wabbit text: {@code label [importance] [tag]|namespace feature[:value] ...}. */
    VW,
    /** JSON lines: one labeled example per line, in the records' JSON form. */
    JSONL;

    /** Whether {@code file} is gzip-compressed, by its name ending in {@code .gz}. */
    public static boolean isGzip(final Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    /**
     * The format named by {@code file}'s extension ({@code .svm}, {@code .libsvm}, {@code .vw},
     * {@code .jsonl}, each optionally followed by {@code .gz}).
     *
     * @throws IllegalArgumentException for any other extension (CSV included: CSV files are
     *         read by {@link CsvDataset}, whose column kinds need the whole file)
     */
    public static RowFormat of(final Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".svm") || name.endsWith(".libsvm")) {
            return LIBSVM;
        }
        if (name.endsWith(".vw")) {
            return VW;
        }
        if (name.endsWith(".jsonl")) {
            return JSONL;
        }
        throw new IllegalArgumentException(file.getFileName() + ": cannot tell the format from the extension"
                + " (.svm, .libsvm, .vw or .jsonl, each optionally .gz); name the format explicitly");
    }

    /** The format named {@code name} ({@code libsvm}, {@code svm}, {@code vw}, {@code jsonl}), case ignored. */
    public static RowFormat named(final String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "libsvm", "svm", "svmlight" -> LIBSVM;
            case "vw" -> VW;
            case "jsonl", "json" -> JSONL;
            default -> throw new IllegalArgumentException("unknown format '" + name + "' (libsvm, vw, jsonl)");
        };
    }
}
