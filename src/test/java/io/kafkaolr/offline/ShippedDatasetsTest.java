package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The shipped datasets: the two larger ones are gzip-compressed in the jar and read as the others. */
class ShippedDatasetsTest {

    private static Set<String> labels(final CsvDataset data) {
        final Set<String> labels = new TreeSet<>();
        data.rows().forEach(r -> labels.add(r.label()));
        return labels;
    }

    @Test
    void mnistIsReadFromItsGzipFileWith196DensePixelsAndTenDigits() {
        final CsvDataset train = ShippedDatasets.read("mnist/train.csv", null);
        final CsvDataset test = ShippedDatasets.read("mnist/test.csv", train.columns());
        assertEquals(8000, train.rows().size());
        assertEquals(2000, test.rows().size());
        assertEquals(196, train.columns().size());
        assertTrue(train.columns().values().stream().allMatch(numeric -> numeric), "every pixel is a number");
        assertEquals(10, labels(train).size(), labels(train).toString());
    }

    @Test
    void mplsStopsIsReadFromItsGzipFileWithFiveCategoricalColumns() {
        final CsvDataset train = ShippedDatasets.read("mpls-stops/train.csv", null);
        final CsvDataset test = ShippedDatasets.read("mpls-stops/test.csv", train.columns());
        assertEquals(41536, train.rows().size());
        assertEquals(10384, test.rows().size());
        assertEquals(Set.of("neighborhood", "precinct", "hour", "weekday", "mdc"), train.columns().keySet());
        assertTrue(train.columns().values().stream().noneMatch(numeric -> numeric), "every column is categorical");
        assertEquals(Set.of("0", "1"), labels(train));
    }

    @Test
    void anUnknownDatasetIsNamedInTheRefusal() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShippedDatasets.read("none/train.csv", null));
        assertEquals("no shipped dataset none/train.csv", e.getMessage());
    }
}
