package io.kafkaolr.offline;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads a JSON lines file of labeled examples or of events, in the records' JSON form (what
 * {@code olr consume} prints), one line at a time, each record with its Kafka key (the model id
 * of an example, the id of an event): memory holds one line and one record, whatever the
 * file's size (a line over the limit is read whole, then refused). A
 * {@code .gz} file is decompressed as it is read. The lines are checked as {@code olr replay}
 * checks JSON lines ({@link JsonLines}: one object, no key twice, finite values; an example
 * also needs a label and an importance of at least 0); a refused line is passed to the listener
 * as a {@link RowRejection}, with its line number, and reading goes on until more lines are
 * refused than {@link LabeledRowReader.Limits#maxRejections()} allows. Blank lines are skipped
 * but counted in the line numbers; a line longer than {@link LabeledRowReader.Limits#maxLineChars()}
 * is refused ({@code LINE_TOO_LONG}).
 */
public final class JsonRecordReader implements Closeable {
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final BufferedReader reader;
    private final String source;
    private final boolean examples;
    private final LabeledRowReader.Limits limits;
    private final Consumer<RowRejection> onRejection;
    private final JsonLines json = new JsonLines();
    private final Map<RowRejection.Reason, Long> rejectionCounts = new EnumMap<>(RowRejection.Reason.class);
    private long lineNumber;
    private long records;
    private long rejected;

    private JsonRecordReader(final Reader reader, final String source, final boolean examples,
                             final LabeledRowReader.Limits limits, final Consumer<RowRejection> onRejection) {
        this.reader = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader, 1 << 16);
        this.source = source;
        this.examples = examples;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.onRejection = Objects.requireNonNull(onRejection, "onRejection");
    }

    /**
     * Opens {@code file}, decompressed when its name ends in {@code .gz}, for labeled examples
     * ({@code examples}) or events.
     */
    public static JsonRecordReader open(final Path file, final boolean examples, final LabeledRowReader.Limits limits,
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
        return of(new InputStreamReader(in, StandardCharsets.UTF_8), file.toString(), examples, limits, onRejection);
    }

    /** Reads text from {@code reader}; {@code source} names it in exceptions. */
    public static JsonRecordReader of(final Reader reader, final String source, final boolean examples,
                                      final LabeledRowReader.Limits limits, final Consumer<RowRejection> onRejection) {
        return new JsonRecordReader(reader, source, examples, limits, onRejection);
    }

    /**
     * The next record with its key, or null at the end of the file.
     *
     * @throws TooManyRejectionsException when this line's refusal is one more than the limit
     */
    public RecordFiles.Keyed next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.length() > limits.maxLineChars()) {
                reject(RowRejection.Reason.LINE_TOO_LONG, "longer than " + limits.maxLineChars() + " characters");
                continue;
            }
            if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                final RecordFiles.Keyed keyed;
                if (examples) {
                    final LabeledExample example = json.example(line);
                    keyed = new RecordFiles.Keyed(example.getModelId(), example);
                } else {
                    final Event event = json.event(line);
                    keyed = new RecordFiles.Keyed(event.getId(), event);
                }
                records++;
                return keyed;
            } catch (final RejectedLine e) {
                reject(e.reason(), e.getMessage());
            }
        }
        return null;
    }

    /** Records returned so far. */
    public long records() {
        return records;
    }

    /** Lines refused so far. */
    public long rejected() {
        return rejected;
    }

    /** Lines read so far, records, refused and blank lines alike. */
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
}
