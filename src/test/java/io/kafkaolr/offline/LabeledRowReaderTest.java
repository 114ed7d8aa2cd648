package io.kafkaolr.offline;

import static io.kafkaolr.offline.ReadRows.numeric;
import static io.kafkaolr.offline.ReadRows.read;
import static io.kafkaolr.offline.ReadRows.rejection;
import static io.kafkaolr.offline.ReadRows.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.offline.RowRejection.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every format shares: format by extension, line limits, counting and the rejection limit. */
class LabeledRowReaderTest {
    @TempDir
    Path dir;

    @Test
    void theExtensionNamesTheFormatAndGzip() {
        assertEquals(RowFormat.LIBSVM, RowFormat.of(Path.of("a.svm")));
        assertEquals(RowFormat.LIBSVM, RowFormat.of(Path.of("a.LIBSVM.gz")));
        assertEquals(RowFormat.VW, RowFormat.of(Path.of("a.b.vw.gz")));
        assertEquals(RowFormat.JSONL, RowFormat.of(Path.of("a.jsonl")));
        assertTrue(RowFormat.isGzip(Path.of("a.jsonl.GZ")));
        final IllegalArgumentException csv = assertThrows(IllegalArgumentException.class,
                () -> RowFormat.of(Path.of("a.csv")));
        assertTrue(csv.getMessage().contains("a.csv"), csv.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RowFormat.of(Path.of("a.gz")));
        assertEquals(RowFormat.VW, RowFormat.named("VW"));
    }

    @Test
    void anExplicitFormatOverridesTheExtension() throws Exception {
        final Path file = write(dir.resolve("data.txt"), "1 |f a\n");
        final ReadRows read = read(file, RowFormat.VW, LabeledRowReader.Limits.DEFAULT);
        assertEquals(List.of(new LabeledRow("1", 1.0, numeric("f^a", 1.0), null, 1)), read.rows());
    }

    @Test
    void aFileNamedGzThatIsNotGzipFailsToOpen() throws Exception {
        final Path file = write(dir.resolve("plain.svm"), "1 1:1\n");
        final Path misnamed = Files.move(file, dir.resolve("plain.svm.gz"));
        final IOException e = assertThrows(IOException.class, () -> LabeledRowReader.open(misnamed));
        assertTrue(e.getMessage().contains("not gzip"), e.getMessage());
    }

    @Test
    void aLineOverTheLimitIsRefusedAndTheNextLineIsRead() throws Exception {
        final LabeledRowReader.Limits limits = new LabeledRowReader.Limits(10, Long.MAX_VALUE);
        // "1 1:1234567" is 11 bytes; "1 1:123456" is 10, with or without its CR
        final ReadRows read = read(write(dir.resolve("a.svm"), "1 1:1234567\n1 1:123456\r\n1 2:1234567\r\n0 3:1"),
                RowFormat.LIBSVM, limits);
        assertEquals(List.of(rejection(1, Reason.LINE_TOO_LONG), rejection(3, Reason.LINE_TOO_LONG)), read.reasons());
        assertEquals(List.of(
                new LabeledRow("1", 1.0, numeric("1", 123456.0), null, 2),
                new LabeledRow("0", 1.0, numeric("3", 1.0), null, 4)), read.rows());
    }

    @Test
    void everyLineEndAndEveryByteThatIsNotUtf8IsFoundWhereverItFallsInTheBuffer() throws Exception {
        // lines of every length from 1 to 40 bytes, some with a byte that is not UTF-8 at each
        // position, so that line ends and bad bytes fall at every offset of the reader's 8-byte
        // steps and across its 64 KiB reads; a bad byte right after a line end belongs to the next line
        final java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        final List<RowRejection> expected = new ArrayList<>();
        final List<Integer> expectedValues = new ArrayList<>();
        final java.util.Random random = new java.util.Random(11);
        long line = 0;
        while (file.size() < 200_000) {
            final int value = random.nextInt(1_000_000);
            final byte[] text = ("1 | a:" + value + " " + "b".repeat(random.nextInt(30))).getBytes(StandardCharsets.UTF_8);
            line++;
            if (random.nextInt(4) == 0) {
                text[6 + random.nextInt(text.length - 6)] = (byte) 0xFF;
                expected.add(new RowRejection(line, Reason.NOT_UTF8, ""));
            } else {
                expectedValues.add(value);
            }
            file.write(text);
            file.write('\n');
        }
        final Path path = dir.resolve("offsets.vw");
        Files.write(path, file.toByteArray());
        final ReadRows read = read(path);
        assertEquals(expected, read.reasons());
        assertEquals(expectedValues, read.rows().stream().map(r -> (int) (double) r.features().numeric().get("a"))
                .toList());
    }

    @Test
    void theDefaultLimitIsOneMebibyteALine() throws Exception {
        final String longLine = "1 |f " + "a".repeat(1 << 20) + "\n";
        final ReadRows read = read(write(dir.resolve("long.vw.gz"), longLine + "0 |f b\n"));
        assertEquals(List.of(rejection(1, Reason.LINE_TOO_LONG)), read.reasons());
        assertEquals(List.of(new LabeledRow("0", 1.0, numeric("f^b", 1.0), null, 2)), read.rows());
    }

    @Test
    void rejectionsAreCountedByReasonAndOneMoreThanTheLimitStopsTheReading() throws Exception {
        final Path file = write(dir.resolve("a.svm"), "1 1:x\n1 1:1\nno 1:1\n1 1:nan\n1 1:1 1:2\n0 1:1\n");
        final List<RowRejection> seen = new ArrayList<>();
        try (LabeledRowReader reader = LabeledRowReader.open(file, RowFormat.LIBSVM,
                new LabeledRowReader.Limits(100, 2), seen::add)) {
            assertEquals(2, reader.next().line());
            final TooManyRejectionsException e = assertThrows(TooManyRejectionsException.class, reader::next);
            assertEquals(new RowRejection(4, Reason.NOT_FINITE, "feature 1 is nan"), e.last());
            assertTrue(e.getMessage().contains("more than 2 lines refused"), e.getMessage());
            assertTrue(e.getMessage().contains("line 4"), e.getMessage());
            assertEquals(Map.of(Reason.BAD_VALUE, 1L, Reason.BAD_LABEL, 1L, Reason.NOT_FINITE, 1L),
                    reader.rejectionCounts());
            assertEquals(3, reader.rejected());
            assertEquals(1, reader.rows());
            assertEquals(4, reader.lines());
        }
        assertEquals(List.of(1L, 3L, 4L), seen.stream().map(RowRejection::line).toList());
    }

    @Test
    void anEmptyFileHasNoRows() throws Exception {
        try (LabeledRowReader reader = LabeledRowReader.open(write(dir.resolve("empty.jsonl.gz"), ""))) {
            assertNull(reader.next());
            assertEquals(0, reader.lines());
        }
    }

    @Test
    void theSameDataInEveryFormatGivesEqualFeaturesAndHashes() throws Exception {
        final ReadRows svm = read(write(dir.resolve("d.svm"), "1 1:0.5 7:2\n0 3:-1.25 # third\n"));
        final ReadRows vw = read(write(dir.resolve("d.vw"), "1 | 1:0.5 7:2\n0 | 3:-1.25\n"));
        final ReadRows jsonl = read(write(dir.resolve("d.jsonl.gz"),
                "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"1\":0.5,\"7\":2}}\n"
                        + "{\"model_id\":\"m\",\"label\":0,\"numeric_features\":{\"3\":-1.25}}\n"));
        final FeatureHasher hasher = new FeatureHasher(18);
        for (final ReadRows other : List.of(vw, jsonl)) {
            assertEquals(2, other.rows().size());
            for (int i = 0; i < 2; i++) {
                final LabeledRow expected = svm.rows().get(i);
                final LabeledRow actual = other.rows().get(i);
                assertEquals(expected.label(), actual.label());
                assertEquals(expected.features(), actual.features());
                assertEquals(expected.features().names().stream().map(hasher::index).toList(),
                        actual.features().names().stream().map(hasher::index).toList());
            }
        }
    }
}
