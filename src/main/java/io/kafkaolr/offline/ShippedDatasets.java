package io.kafkaolr.offline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** The small real datasets shipped inside the jar ({@code datasets/README.md} gives sources and licences). */
public final class ShippedDatasets {
    private ShippedDatasets() {
    }

    /**
     * A shipped CSV file such as {@code "breast-cancer/train.csv"}, label column {@code label};
     * {@code kinds} as in {@link CsvDataset#read(java.nio.file.Path, String, Map)} (may be null).
     * The larger sets are shipped gzip-compressed: {@code "mnist/train.csv"} reads
     * {@code mnist/train.csv.gz} when there is no {@code mnist/train.csv}.
     */
    public static CsvDataset read(final String name, final Map<String, Boolean> kinds) {
        try (Reader reader = new InputStreamReader(open(name), StandardCharsets.UTF_8)) {
            return CsvDataset.read(reader, name, "label", kinds);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(final String name) throws IOException {
        final InputStream in = ShippedDatasets.class.getResourceAsStream("/datasets/" + name);
        if (in != null) {
            return in;
        }
        final InputStream compressed = ShippedDatasets.class.getResourceAsStream("/datasets/" + name + ".gz");
        if (compressed == null) {
            throw new IllegalArgumentException("no shipped dataset " + name);
        }
        return new GZIPInputStream(compressed, 1 << 16);
    }
}
