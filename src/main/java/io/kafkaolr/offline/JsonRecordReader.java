package io.kafkaolr.offline;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a JSON lines file of labeled examples or of events, in the records' JSON form (what
 * {@code olr consume} prints), one line at a time, each record with its Kafka key (the model id
 * of an example, the id of an event). It is a {@link LabeledRowReader} over the file, so memory
 * holds one line and one record whatever the file's size, a {@code .gz} file is decompressed as
 * it is read, and lines are refused — over the line limit, not UTF-8, or not a record by
 * {@link JsonLines}' rules (one object, no key twice, finite values; an example also needs a
 * label and an importance of at least 0) — with their line number and reason as replay refuses
 * them, until more are refused than {@link LabeledRowReader.Limits#maxRejections()} allows.
 */
public final class JsonRecordReader implements Closeable {
    private final LabeledRowReader lines;
    private long records;

    private JsonRecordReader(final LabeledRowReader lines) {
        this.lines = lines;
    }

    /**
     * Opens {@code file}, decompressed when its name ends in {@code .gz}, for labeled examples
     * ({@code examples}) or events.
     */
    public static JsonRecordReader open(final Path file, final boolean examples, final LabeledRowReader.Limits limits,
                                        final Consumer<RowRejection> onRejection) throws IOException {
        return new JsonRecordReader(LabeledRowReader.open(file, new JsonLines(!examples), limits, onRejection));
    }

    /** Reads the UTF-8 text of {@code in}; {@code source} names it in exceptions. */
    public static JsonRecordReader of(final InputStream in, final String source, final boolean examples,
                                      final LabeledRowReader.Limits limits, final Consumer<RowRejection> onRejection) {
        return new JsonRecordReader(LabeledRowReader.of(in, source, new JsonLines(!examples), limits, onRejection));
    }

    /**
     * The next record with its key, or null at the end of the file.
     *
     * @throws TooManyRejectionsException when this line's refusal is one more than the limit
     */
    public RecordFiles.Keyed next() throws IOException {
        if (!lines.advance()) {
            return null;
        }
        records++;
        final Object record = lines.current().decoded();
        return record instanceof LabeledExample example ? new RecordFiles.Keyed(example.getModelId(), example)
                : new RecordFiles.Keyed(((Event) record).getId(), (Event) record);
    }

    /** Records returned so far. */
    public long records() {
        return records;
    }

    /** Lines refused so far. */
    public long rejected() {
        return lines.rejected();
    }

    /** Lines refused so far, by reason (reasons with none left out). */
    public Map<RowRejection.Reason, Long> rejectionCounts() {
        return lines.rejectionCounts();
    }

    /** Lines read so far, records, refused and blank lines alike. */
    public long lines() {
        return lines.lines();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
