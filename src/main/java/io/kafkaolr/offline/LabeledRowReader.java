package io.kafkaolr.offline;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
     * @param maxLineBytes the longest line, in bytes without its line ending, that is read
     * @param maxRejections how many refused lines are let pass; one more stops the reading
     */
    public record Limits(int maxLineBytes, long maxRejections) {
        /** 1 MiB a line, any number of refused lines. */
        public static final Limits DEFAULT = new Limits(1 << 20, Long.MAX_VALUE);
        /** The largest line limit: a line is held in one array. */
        public static final int MAX_LINE_BYTES = 1 << 30;

        public Limits {
            if (maxLineBytes < 1 || maxLineBytes > MAX_LINE_BYTES || maxRejections < 0) {
                throw new IllegalArgumentException("line limit must be in [1, " + MAX_LINE_BYTES
                        + "] and rejections at least 0: " + maxLineBytes + ", " + maxRejections);
            }
        }
    }

    /** The buffer read eight bytes at a time, in the byte order that puts the first byte lowest. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final InputStream in;
    private final String source;
    private final LineParser parser;
    private final Limits limits;
    private final Consumer<RowRejection> onRejection;
    private final byte[] buffer = new byte[1 << 16];
    private byte[] line = new byte[8192];
    private int lineLength;
    private final ParsedLine current = new ParsedLine();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer decoded = CharBuffer.allocate(0);
    private final Map<RowRejection.Reason, Long> rejectionCounts = new EnumMap<>(RowRejection.Reason.class);
    private int position;
    private int end;
    private boolean lineTooLong;
    /** Whether every byte of the line read is ASCII (told while looking for its end). */
    private boolean lineAscii;
    private long lineNumber;
    private long rows;
    private long rejected;

    private LabeledRowReader(final InputStream in, final String source, final LineParser parser, final Limits limits,
                             final Consumer<RowRejection> onRejection) {
        this.in = in;
        this.source = source;
        this.parser = parser;
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
        return open(file, parser(format), limits, onRejection);
    }

    /** Opens {@code file}, each line read by {@code parser}; decompressed when its name ends in {@code .gz}. */
    static LabeledRowReader open(final Path file, final LineParser parser, final Limits limits,
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
        return new LabeledRowReader(in, file.toString(), parser, limits, onRejection);
    }

    /** Reads the UTF-8 text of {@code in}; {@code source} names it in exceptions. */
    public static LabeledRowReader of(final InputStream in, final String source, final RowFormat format,
                                      final Limits limits, final Consumer<RowRejection> onRejection) {
        return of(in, source, parser(format), limits, onRejection);
    }

    /** Reads the UTF-8 text of {@code in}, each line by {@code parser}; {@code source} names it in exceptions. */
    static LabeledRowReader of(final InputStream in, final String source, final LineParser parser,
                               final Limits limits, final Consumer<RowRejection> onRejection) {
        return new LabeledRowReader(in, source, parser, limits, onRejection);
    }

    private static LineParser parser(final RowFormat format) {
        return switch (format) {
            case LIBSVM -> new LibsvmLines();
            case VW -> new VwLines();
            case JSONL -> new JsonLines();
        };
    }

    /**
     * The next row, or null at the end of the file.
     *
     * @throws TooManyRejectionsException when this line's refusal is one more than the limit
     */
    public LabeledRow next() throws IOException {
        return advance() ? current.toRow() : null;
    }

    /**
     * Moves to the next row, which {@link #current} then holds until the next call; false at the
     * end of the file. Lets a caller hash and learn rows without a {@link LabeledRow} each.
     *
     * @throws TooManyRejectionsException when this line's refusal is one more than the limit
     */
    boolean advance() throws IOException {
        while (readLine()) {
            lineNumber++;
            if (lineTooLong) {
                reject(RowRejection.Reason.LINE_TOO_LONG, "longer than " + limits.maxLineBytes() + " bytes");
                continue;
            }
            int from = 0;
            if (lineNumber == 1 && lineLength >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB
                    && line[2] == (byte) 0xBF) {
                from = 3;
            }
            if (from > 0) {
                System.arraycopy(line, from, line, 0, lineLength - from);
                lineLength -= from;
            }
            if (LineParser.skipSpaces(line, 0, lineLength) == lineLength) {
                continue;
            }
            final int invalid = firstInvalidUtf8();
            if (invalid >= 0) {
                reject(RowRejection.Reason.NOT_UTF8, "the bytes at offset " + invalid + " are not UTF-8");
                continue;
            }
            current.reset(line, lineNumber);
            try {
                if (parser.parse(line, lineLength, current)) {
                    rows++;
                    return true;
                }
            } catch (final RejectedLine e) {
                reject(e.reason(), e.getMessage());
            }
        }
        return false;
    }

    /** The row {@link #advance} moved to. */
    ParsedLine current() {
        return current;
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
        in.close();
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

    /** The offset of the line's first byte that is not part of valid UTF-8, or -1 when it all is. */
    private int firstInvalidUtf8() {
        if (lineAscii) {
            return -1; // the usual case: nothing to decode
        }
        if (decoded.capacity() < lineLength) {
            decoded = CharBuffer.allocate(lineLength);
        }
        decoded.clear();
        final ByteBuffer bytes = ByteBuffer.wrap(line, 0, lineLength);
        utf8.reset();
        final CoderResult result = utf8.decode(bytes, decoded, true);
        return result.isError() ? bytes.position() : -1;
    }

    /**
     * The position of the first {@code '\n'} in {@code buffer[from, to)}, or {@code to}, eight
     * bytes a step; clears {@link #lineAscii} when a byte before it is not ASCII.
     */
    private int newline(final int from, final int to) {
        long seen = 0;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            final long word = (long) LONGS.get(buffer, i);
            final long x = word ^ NEWLINES;
            // a byte of x is zero where a newline is; the lowest byte flagged is always one
            final long zeros = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (zeros != 0) {
                final int at = Long.numberOfTrailingZeros(zeros) >>> 3;
                // the bytes before the newline only
                seen |= at == 0 ? 0 : word & (-1L >>> (Long.SIZE - Long.BYTES * at));
                lineAscii &= (seen & HIGH_BITS) == 0;
                return i + at;
            }
            seen |= word;
        }
        for (; i < to && buffer[i] != '\n'; i++) {
            seen |= buffer[i];
        }
        lineAscii &= (seen & HIGH_BITS) == 0;
        return i;
    }

    /**
     * Reads the next line without its ending ({@code \n} or {@code \r\n}) into {@link #line};
     * false at the end. A line over the limit is skipped to its end without being kept, and
     * flagged in {@link #lineTooLong}.
     */
    private boolean readLine() throws IOException {
        lineLength = 0;
        lineTooLong = false;
        lineAscii = true;
        boolean anything = false;
        final int most = limits.maxLineBytes() + 1; // one byte of slack for the '\r' of a CRLF ending
        while (true) {
            if (position >= end) {
                end = in.read(buffer);
                position = 0;
                if (end <= 0) {
                    end = 0;
                    if (!anything) {
                        return false;
                    }
                    break;
                }
            }
            anything = true;
            final int newline = newline(position, end);
            final int length = newline - position;
            if (!lineTooLong && lineLength + length <= most) {
                if (line.length < lineLength + length) {
                    line = Arrays.copyOf(line, Math.min(Math.max(2 * line.length, lineLength + length), most));
                }
                System.arraycopy(buffer, position, line, lineLength, length);
                lineLength += length;
            } else {
                lineTooLong = true;
                lineLength = 0;
            }
            if (newline < end) {
                position = newline + 1;
                break;
            }
            position = end;
        }
        if (lineTooLong) {
            return true;
        }
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        if (lineLength > limits.maxLineBytes()) {
            lineTooLong = true;
            lineLength = 0;
        }
        return true;
    }
}
