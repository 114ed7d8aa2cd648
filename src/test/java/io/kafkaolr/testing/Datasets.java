package io.kafkaolr.testing;

import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.ShippedDatasets;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The shipped datasets, read from the classpath. */
public final class Datasets {
    private Datasets() {
    }

    /** The path of a shipped dataset file, e.g. {@code "breast-cancer/train.csv"}. */
    public static Path path(final String name) {
        final URL url = Datasets.class.getResource("/datasets/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no shipped dataset " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (final URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A shipped dataset file, label column {@code label}. */
    public static CsvDataset read(final String name) {
        return ShippedDatasets.read(name, null);
    }
}
