package io.kafkaolr.offline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The small real datasets shipped inside the jar ({@code datasets/README.md} gives sources and licences). */
public final class ShippedDatasets {
    private ShippedDatasets() {
    }

    /**
     * A shipped CSV file such as {@code "breast-cancer/train.csv"}, label column {@code label};
     * {@code kinds} as in {@link CsvDataset#read(java.nio.file.Path, String, Map)} (may be null).
     */
    public static CsvDataset read(final String name, final Map<String, Boolean> kinds) {
        final InputStream in = ShippedDatasets.class.getResourceAsStream("/datasets/" + name);
        if (in == null) {
            throw new IllegalArgumentException("no shipped dataset " + name);
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return CsvDataset.read(reader, name, "label", kinds);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
