package io.kafkaolr.offline;

import io.kafkaolr.core.Features;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Test helper: writes a small file and reads all of it, rows and rejections. */
record ReadRows(List<LabeledRow> rows, List<RowRejection> rejections) {

    static ReadRows read(final Path file) throws IOException {
        return read(file, RowFormat.of(file), LabeledRowReader.Limits.DEFAULT);
    }

    static ReadRows read(final Path file, final RowFormat format, final LabeledRowReader.Limits limits)
            throws IOException {
        final List<LabeledRow> rows = new ArrayList<>();
        final List<RowRejection> rejections = new ArrayList<>();
        try (LabeledRowReader reader = LabeledRowReader.open(file, format, limits, rejections::add)) {
            for (LabeledRow row; (row = reader.next()) != null; ) {
                rows.add(row);
            }
        }
        return new ReadRows(rows, rejections);
    }

    static Path write(final Path file, final String text) throws IOException {
        if (RowFormat.isGzip(file)) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        return file;
    }

    /** Numeric features from name, value pairs. */
    static Features numeric(final Object... nameValues) {
        final Map<String, Double> numeric = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            numeric.put((String) nameValues[i], ((Number) nameValues[i + 1]).doubleValue());
        }
        return new Features(numeric, Map.of());
    }

    static RowRejection rejection(final long line, final RowRejection.Reason reason) {
        return new RowRejection(line, reason, "");
    }

    /** The rejections without their details, to compare with {@link #rejection}. */
    List<RowRejection> reasons() {
        return rejections.stream().map(r -> rejection(r.line(), r.reason())).toList();
    }
}
