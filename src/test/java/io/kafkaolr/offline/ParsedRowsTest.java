package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.Limits;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Rows parsed on a thread of their own: file order, refusals in place, names, failures and stopping. */
class ParsedRowsTest {
    private static final FeatureHasher HASHER = new FeatureHasher(8);

    private static ParsedRows start(final InputStream in) {
        return ParsedRows.start(onRejection -> LabeledRowReader.of(in, "test", RowFormat.VW,
                LabeledRowReader.Limits.DEFAULT, onRejection), HASHER, Limits.DEFAULT_FEATURES, Interactions.NONE,
                "test");
    }

    private static InputStream text(final String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rowsAndRefusedLinesComeInFileOrderAndTheLastBatchCountsTheRefusals() throws IOException {
        final StringBuilder file = new StringBuilder();
        for (int i = 1; i <= 2000; i++) {
            file.append(i % 7 == 0 ? "1 | a:NaN\n" : (i % 2 == 0 ? "1" : "-1") + " | a:" + i + "\n");
        }
        final List<Long> lines = new ArrayList<>();
        long refused = 0;
        long readerRejected = -1;
        try (ParsedRows rows = start(text(file.toString()))) {
            for (ParsedRows.Batch batch; (batch = rows.take()) != null; rows.release(batch)) {
                assertTrue(batch.size() <= ParsedRows.BATCH_ROWS);
                for (int i = 0; i < batch.size(); i++) {
                    final ParsedRows.Item item = batch.item(i);
                    if (item.lineRefusal() != null) {
                        assertEquals(RowRejection.Reason.NOT_FINITE, item.lineRefusal().reason());
                        lines.add(item.lineRefusal().line());
                        refused++;
                    } else {
                        assertEquals(item.line() % 2 == 0 ? "1" : "-1", item.label());
                        assertEquals(1, item.vector().size());
                        assertEquals(item.line(), item.vector().valueAt(0), 0.0, "the row of its line");
                        lines.add(item.line());
                    }
                }
                if (batch.last()) {
                    readerRejected = batch.readerRejected();
                }
            }
            assertNull(rows.take(), "nothing after the last batch");
        }
        assertEquals(2000, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(i + 1, lines.get(i), "file order");
        }
        assertEquals(285, refused);
        assertEquals(285, readerRejected);
    }

    @Test
    void aRowCarriesTheNameOfEveryFeatureWhoseRowDidNotExistWhenItWasLearned() throws IOException {
        // a learner that creates a random half of the absent rows of each row (the rest as if the
        // row were refused), far behind the parser: no row it creates may lack its names
        final Random random = new Random(3);
        final StringBuilder file = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            file.append("1 | f").append(random.nextInt(1 + i / 10)).append(" g").append(random.nextInt(5000)).append('\n');
        }
        final Set<Integer> existing = new HashSet<>();
        long named = 0;
        long rowsSeen = 0;
        try (ParsedRows rows = start(text(file.toString()))) {
            for (ParsedRows.Batch batch; (batch = rows.take()) != null; rows.release(batch)) {
                for (int i = 0; i < batch.size(); i++) {
                    final ParsedRows.Item item = batch.item(i);
                    rowsSeen++;
                    final Set<Integer> carried = new HashSet<>();
                    for (int k = 0; k < item.names(); k++) {
                        carried.add(item.nameIndex(k));
                        assertEquals(HASHER.index(item.name(k)), item.nameIndex(k), "a name and its index agree");
                    }
                    for (int j = 0; j < item.vector().size(); j++) {
                        final int index = item.vector().indexAt(j);
                        if (!existing.contains(index)) {
                            assertTrue(carried.contains(index), "line " + item.line() + ": no name for row " + index);
                            if (random.nextBoolean()) {
                                existing.add(index);
                                rows.created(index);
                                named++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(20_000, rowsSeen);
        assertEquals(256, named, "every row of 2^8 created once");
    }

    @Test
    void aReadFailureComesAfterTheRowsReadBeforeIt() throws IOException {
        final StringBuilder file = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            file.append("1 | a:").append(i).append('\n');
        }
        final byte[] bytes = file.toString().getBytes(StandardCharsets.UTF_8);
        final InputStream failing = new InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                if (at == bytes.length) {
                    throw new IOException("disk gone");
                }
                return bytes[at++];
            }
        };
        final long[] counted = {0};
        try (ParsedRows rows = start(failing)) {
            final IOException e = assertThrows(IOException.class, () -> {
                for (ParsedRows.Batch batch; (batch = rows.take()) != null; rows.release(batch)) {
                    assertFalse(batch.last(), "a failed file has no last batch");
                    for (int i = 0; i < batch.size(); i++) {
                        assertNotNull(batch.item(i).vector());
                    }
                    counted[0] += batch.size();
                }
            });
            assertEquals("disk gone", e.getMessage());
        }
        assertEquals(1000, counted[0], "every row before the failure");
    }

    @Test
    void closingStopsTheParserWaitingOnAFullQueueAndClosesTheFile() {
        // endless input: the parser fills every batch and waits for the learner, who stops
        final AtomicBoolean closed = new AtomicBoolean();
        final byte[] line = "1 | a b c\n".getBytes(StandardCharsets.UTF_8);
        final InputStream endless = new FilterInputStream(InputStream.nullInputStream()) {
            private int at;

            @Override
            public int read() {
                final int b = line[at];
                at = (at + 1) % line.length;
                return b;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) {
                for (int i = 0; i < len; i++) {
                    b[off + i] = (byte) read();
                }
                return len;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            final ParsedRows rows = start(endless);
            final ParsedRows.Batch first = rows.take();
            assertEquals(ParsedRows.BATCH_ROWS, first.size());
            rows.close();
        });
        assertTrue(closed.get(), "the file is closed when close returns");
    }
}
