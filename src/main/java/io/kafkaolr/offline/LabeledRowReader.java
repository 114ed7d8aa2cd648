package io.kafkaolr.offline;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads labeled rows from a libsvm, Vowpal Wabbit or JSON lines file, one line at a time: memory
 * stays bounded by the longest line allowed, whatever the file's size. A {@code .gz} file is
 * decompressed as it is read. A malformed line is refused with a {@link RowRejection} (passed to
 * the listener and counted by reason) and reading goes on with the next line, until more lines
 * are refused than {@link Limits#maxRejections()} allows. Blank lines and comment lines are
 * skipped but counted in the line numbers. The README's "File formats" section gives each
 * format's rules.
 *
 * <pre>{@code
 * try (LabeledRowReader reader = LabeledRowReader.open(file)) {
 *     for (LabeledRow row; (row = reader.next()) != null; ) { ... }
 * }
 * }</pre>
 */
public final class LabeledRowReader implements Closeable {

    /**
     * How much a reader tolerates.
     *
     * @param maxLineChars the longest line, in characters without its line ending, that is read
     * @param maxRejections how many refused lines are let pass; one more stops the reading
     */
    public record Limits(int maxLineChars, long maxRejections) {
        /** 1 Mi characters a line, any number of refused lines. */
        public static final Limits DEFAULT = new Limits(1 << 20, Long.MAX_VALUE);

        public Limits {
            if (maxLineChars < 1 || maxRejections < 0) {
                throw new IllegalArgumentException("limits must be positive: " + maxLineChars + ", " + maxRejections);
            }
        }
    }

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final Reader reader;
    private final String source;
    private final LineParser parser;
    private final Limits limits;
    private final Consumer<RowRejection> onRejection;
    private final char[] buffer = new char[8192];
    private final StringBuilder line = new StringBuilder();
    private final Map<RowRejection.Reason, Long> rejectionCounts = new EnumMap<>(RowRejection.Reason.class);
    private int position;
    private int end;
    private boolean lineTooLong;
    private long lineNumber;
    private long rows;
    private long rejected;

    private LabeledRowReader(final Reader reader, final String source, final RowFormat format, final Limits limits,
                             final Consumer<RowRejection> onRejection) {
        this.reader = reader;
        this.source = source;
        this.parser = switch (format) {
            case LIBSVM -> new LibsvmLines();
            case VW -> new VwLines();
            case JSONL -> new JsonLines();
        };
        this.limits = Objects.requireNonNull(limits, "limits");
        this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
    }

    /** Opens {@code file} in the format its extension names, with the default limits. */
    public static LabeledRowReader open(final Path file) throws IOException {
        return open(file, RowFormat.of(file), Limits.DEFAULT, rejection -> { });
    }

    /**
     * Opens {@code file} in {@code format} (whatever its extension); it is decompressed when
     * its name ends in {@code .gz}.
     */
    public static LabeledRowReader open(final Path file, final RowFormat format, final Limits limits,
                                        final Consumer<RowRejection> onRejection) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            if (RowFormat.isGzip(file)) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (final IOException e) {
            in.close();
            throw new IOException(file + ": not gzip-compressed: " + e.getMessage(), e);
        }
        // bytes that are not UTF-8 become U+FFFD rather than stopping the file
        return of(new InputStreamReader(in, StandardCharsets.UTF_8), file.toString(), format, limits, onRejection);
    }

    /** Reads text from {@code reader}; {@code source} names it in exceptions. */
    public static LabeledRowReader of(final Reader reader, final String source, final RowFormat format,
                                      final Limits limits, final Consumer<RowRejection> onRejection) {
        return new LabeledRowReader(reader, source, format, limits, onRejection);
    }

    /**
     * The next row, or null at the end of the file.
     *
     * @throws TooManyRejectionsException when this line's refusal is one more than the limit
     */
    public LabeledRow next() throws IOException {
        String text;
        while ((text = readLine()) != null) {
            lineNumber++;
            if (lineTooLong) {
                reject(RowRejection.Reason.LINE_TOO_LONG, "longer than " + limits.maxLineChars() + " characters");
                continue;
            }
            if (lineNumber == 1 && !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
                text = text.substring(1);
            }
            if (text.isBlank() || parser.isComment(text)) {
                continue;
            }
            try {
                final LabeledRow row = parser.parse(text, lineNumber);
                if (row != null) {
                    rows++;
                    return row;
                }
            } catch (final RejectedLine e) {
                reject(e.reason(), e.getMessage());
            }
        }
        return null;
    }

    /** Rows returned so far. */
    public long rows() {
        return rows;
    }

    /** Lines refused so far. */
    public long rejected() {
        return rejected;
    }

    /** Lines refused so far, by reason (reasons with none left out). */
    public Map<RowRejection.Reason, Long> rejectionCounts() {
        return Collections.unmodifiableMap(rejectionCounts);
    }

    /** Lines read so far, rows, refused, blank and comment lines alike. */
    public long lines() {
        return lineNumber;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    private void reject(final RowRejection.Reason reason, final String detail) throws TooManyRejectionsException {
        final RowRejection rejection = new RowRejection(lineNumber, reason, detail);
        rejected++;
        rejectionCounts.merge(reason, 1L, Long::sum);
        onRejection.accept(rejection);
        if (rejected > limits.maxRejections()) {
            throw new TooManyRejectionsException(source, limits.maxRejections(), rejectionCounts, rejection);
        }
    }

    /**
     * The next line without its ending ({@code \n} or {@code \r\n}), or null at the end; a line
     * over the limit is skipped to its end without being kept, and flagged in {@link #lineTooLong}.
     */
    private String readLine() throws IOException {
        line.setLength(0);
        lineTooLong = false;
        boolean anything = false;
        while (true) {
            if (position >= end) {
                end = reader.read(buffer);
                position = 0;
                if (end <= 0) {
                    end = 0;
                    if (!anything) {
                        return null;
                    }
                    break;
                }
            }
            anything = true;
            int newline = position;
            while (newline < end && buffer[newline] != '\n') {
                newline++;
            }
            // one character of slack for the '\r' of a CRLF ending, removed below
            if (!lineTooLong && line.length() + (newline - position) <= limits.maxLineChars() + 1) {
                line.append(buffer, position, newline - position);
            } else {
                lineTooLong = true;
                line.setLength(0);
            }
            if (newline < end) {
                position = newline + 1;
                break;
            }
            position = end;
        }
        if (lineTooLong) {
            return "";
        }
        if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        if (line.length() > limits.maxLineChars()) {
            lineTooLong = true;
            return "";
        }
        return line.toString();
    }
}
