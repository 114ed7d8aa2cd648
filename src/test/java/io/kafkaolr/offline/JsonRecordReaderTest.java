package io.kafkaolr.offline;

import static io.kafkaolr.offline.ReadRows.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.offline.RowRejection.Reason;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON lines of labeled examples or events, for {@code olr produce}: one record at a time. */
class JsonRecordReaderTest {
    private static final String EXAMPLE = "{\"model_id\":\"m\",\"id\":\"e%d\",\"numeric_features\":{\"x\":%d},"
            + "\"label\":\"1\"}\n";

    @TempDir
    Path dir;

    @Test
    void examplesAreKeyedByTheirModelAndEventsByTheirId() throws Exception {
        final Path examples = write(dir.resolve("a.jsonl"), """
                {"model_id":"m1","id":"a","numeric_features":{"x":1.5},"label":"1","importance":2}

                {"model_id":"m2","label":"0"}
                """);
        final List<RowRejection> rejections = new ArrayList<>();
        try (JsonRecordReader reader = JsonRecordReader.open(examples, true, LabeledRowReader.Limits.DEFAULT,
                rejections::add)) {
            final RecordFiles.Keyed first = reader.next();
            assertEquals("m1", first.key());
            final LabeledExample example = (LabeledExample) first.record();
            assertEquals("a", example.getId());
            assertEquals(Map.of("x", 1.5), example.getNumericFeatures());
            assertEquals(2.0, example.getImportance());
            assertEquals("m2", reader.next().key());
            assertNull(reader.next());
            assertEquals(2, reader.records());
            assertEquals(3, reader.lines(), "the blank line is counted");
        }
        assertEquals(List.of(), rejections);

        final Path events = write(dir.resolve("e.jsonl"), "{\"id\":\"ev-1\",\"model_id\":\"m1\","
                + "\"numeric_features\":{\"x\":3}}\n");
        try (JsonRecordReader reader = JsonRecordReader.open(events, false, LabeledRowReader.Limits.DEFAULT,
                rejection -> { })) {
            final RecordFiles.Keyed event = reader.next();
            assertEquals("ev-1", event.key());
            assertEquals(Map.of("x", 3.0), ((Event) event.record()).getNumericFeatures());
            assertNull(reader.next());
        }
    }

    @Test
    void aGzippedFileIsDecompressedAsItIsRead() throws Exception {
        final Path file = write(dir.resolve("a.jsonl.gz"), EXAMPLE.formatted(1, 1) + EXAMPLE.formatted(2, 2));
        final List<String> keys = new ArrayList<>();
        try (JsonRecordReader reader = JsonRecordReader.open(file, true, LabeledRowReader.Limits.DEFAULT,
                rejection -> { })) {
            for (RecordFiles.Keyed keyed; (keyed = reader.next()) != null; ) {
                keys.add(((LabeledExample) keyed.record()).getId());
            }
        }
        assertEquals(List.of("e1", "e2"), keys);
    }

    @Test
    void malformedLinesAreRefusedByLineAndReasonAsReplayRefusesThem() throws Exception {
        final Path file = write(dir.resolve("a.jsonl"), String.join("\n",
                "{\"model_id\":\"m\",\"label\":\"1\"}",                                  // 1 fine
                "{\"model_id\":\"m\"",                                                  // 2 cut short
                "{\"model_id\":\"m\",\"lable\":\"1\"}",                                  // 3 unknown field
                "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":1,\"x\":2}}", // 4
                "{\"model_id\":\"m\",\"label\":\"1\",\"importance\":-1}",                // 5
                "",                                                                     // 6 blank
                "{\"model_id\":\"m\",\"label\":\"0\"}") + "\n");                         // 7 fine
        final List<RowRejection> rejections = new ArrayList<>();
        final List<String> labels = new ArrayList<>();
        try (JsonRecordReader reader = JsonRecordReader.open(file, true, LabeledRowReader.Limits.DEFAULT,
                rejections::add)) {
            for (RecordFiles.Keyed keyed; (keyed = reader.next()) != null; ) {
                labels.add(((LabeledExample) keyed.record()).getLabel());
            }
            assertEquals(4, reader.rejected());
        }
        assertEquals(List.of("1", "0"), labels);
        assertEquals(List.of(2L, 3L, 4L, 5L), rejections.stream().map(RowRejection::line).toList());
        assertEquals(List.of(Reason.UNPARSEABLE_JSON, Reason.INVALID_RECORD, Reason.DUPLICATE_FEATURE,
                Reason.BAD_IMPORTANCE), rejections.stream().map(RowRejection::reason).toList());
        // the same lines, read as replay reads them, are refused for the same reasons
        assertEquals(rejections.stream().map(r -> r.line() + " " + r.reason()).toList(),
                ReadRows.read(file).rejections().stream().map(r -> r.line() + " " + r.reason()).toList());
    }

    @Test
    void oneRefusalOverTheLimitStopsTheReading() throws Exception {
        final Path file = write(dir.resolve("a.jsonl"), "{oops\n" + EXAMPLE.formatted(2, 2) + "[]\n"
                + EXAMPLE.formatted(4, 4));
        try (JsonRecordReader reader = JsonRecordReader.open(file, true, new LabeledRowReader.Limits(1 << 20, 1),
                rejection -> { })) {
            assertEquals("m", reader.next().key());
            final TooManyRejectionsException e = assertThrows(TooManyRejectionsException.class, reader::next);
            assertEquals(3, e.last().line());
        }
    }

    @Test
    void aLineOverTheLimitIsRefusedAndTheNextIsRead() throws Exception {
        final Path file = write(dir.resolve("a.jsonl"), "{\"model_id\":\"m\",\"label\":\"1\",\"id\":\""
                + "x".repeat(200) + "\"}\n" + EXAMPLE.formatted(2, 2));
        final List<RowRejection> rejections = new ArrayList<>();
        try (JsonRecordReader reader = JsonRecordReader.open(file, true,
                new LabeledRowReader.Limits(100, Long.MAX_VALUE), rejections::add)) {
            assertEquals("e2", ((LabeledExample) reader.next().record()).getId());
        }
        assertEquals(List.of(1L), rejections.stream().map(RowRejection::line).toList());
        assertEquals(Reason.LINE_TOO_LONG, rejections.get(0).reason());
    }

    /**
     * The reader takes from its source only what the records it returns need (and a buffer
     * ahead), never the whole file: over a source of 200 MB of lines, made as they are asked
     * for, the first records come after reading a few tens of kilobytes. A reader that kept the
     * file's records in a list would read all 200 MB (or run out of heap) before the first.
     */
    @Test
    void recordsAreReadOneAtATimeNotTheWholeFileFirst() throws Exception {
        final LineSource source = new LineSource(200L << 20);
        try (JsonRecordReader reader = JsonRecordReader.of(source, "generated", true, LabeledRowReader.Limits.DEFAULT,
                rejection -> { })) {
            for (int i = 1; i <= 1_000; i++) {
                final RecordFiles.Keyed keyed = reader.next();
                assertNotNull(keyed);
                assertEquals("e" + i, ((LabeledExample) keyed.record()).getId());
            }
            assertEquals(1_000, reader.lines());
        }
        assertTrue(source.served < 1 << 20, source.served + " bytes read for 1,000 records of about 70");
        assertTrue(source.served < source.size);
    }

    /** Numbered example lines, made as they are read, up to {@code size} bytes (ASCII). */
    private static final class LineSource extends InputStream {
        final long size;
        long served;
        private long next = 1;
        private byte[] pending = new byte[0];
        private int position;

        LineSource(final long size) {
            this.size = size;
        }

        @Override
        public int read() {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(final byte[] buffer, final int offset, final int length) {
            if (served >= size) {
                return -1;
            }
            int n = 0;
            while (n < length && served < size) {
                if (position == pending.length) {
                    pending = EXAMPLE.formatted(next, next).getBytes(StandardCharsets.US_ASCII);
                    next++;
                    position = 0;
                }
                final int take = (int) Math.min(Math.min(length - n, pending.length - position), size - served);
                System.arraycopy(pending, position, buffer, offset + n, take);
                position += take;
                n += take;
                served += take;
            }
            return n;
        }
    }
}
