package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV files as examples (a label on every row) and as events (no label needed). */
class CsvDatasetTest {
    @TempDir
    Path dir;

    @Test
    void examplesNeedTheLabelColumnEventsDoNot() throws Exception {
        final Path unlabelled = dir.resolve("events.csv");
        Files.writeString(unlabelled, "x,colour\n1.5,red\n-2,blue\n");
        final IllegalArgumentException noLabel = assertThrows(IllegalArgumentException.class,
                () -> CsvDataset.read(unlabelled, "label"));
        assertTrue(noLabel.getMessage().contains("--label-column"), noLabel.getMessage());

        final CsvDataset events = CsvDataset.readEvents(unlabelled, "label");
        assertEquals(Map.of("x", true, "colour", false), events.columns());
        assertEquals(2, events.rows().size());
        assertEquals(Map.of("x", -2.0), events.rows().get(1).features().numeric());
        assertEquals(Map.of("colour", "blue"), events.rows().get(1).features().categorical());
        assertNull(events.rows().get(1).label());
    }

    @Test
    void aLabelColumnInAFileOfEventsIsNotAFeature() throws Exception {
        final Path labelled = dir.resolve("test.csv");
        Files.writeString(labelled, "x,label\n1.5,1\n-2,\n");
        final CsvDataset events = CsvDataset.readEvents(labelled, "label");
        assertEquals(Map.of("x", true), events.columns());
        assertEquals(Map.of("x", 1.5), events.rows().get(0).features().numeric());
        final IllegalArgumentException unlabelledRow = assertThrows(IllegalArgumentException.class,
                () -> CsvDataset.read(labelled, "label"));
        assertTrue(unlabelledRow.getMessage().contains("line 3 has no label"), unlabelledRow.getMessage());
    }
}
