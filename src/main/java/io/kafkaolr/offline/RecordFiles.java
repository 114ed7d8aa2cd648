package io.kafkaolr.offline;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.JsonCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;

/** Reads a dataset file (CSV or JSON lines) as labeled examples or events. */
public final class RecordFiles {
    private RecordFiles() {
    }

    /** A record read from a file, with its Kafka key (the model id for examples, the event id for events). */
    public record Keyed(String key, SpecificRecordBase record) {
    }

    /** Lines that could not be read, with why. */
    public record Result(List<Keyed> records, List<String> refused) {
    }

    /** A CSV row as a labeled example of {@code modelId}. */
    public static LabeledExample example(final String modelId, final String id, final CsvDataset.Row row) {
        return LabeledExample.newBuilder().setModelId(modelId).setId(id)
                .setNumericFeatures(row.features().numeric())
                .setCategoricalFeatures(row.features().categorical())
                .setLabel(row.label()).build();
    }

    /** A CSV row, its label left out, as an event for {@code modelId}. */
    public static Event event(final String modelId, final String id, final CsvDataset.Row row) {
        return Event.newBuilder().setId(id).setModelId(modelId)
                .setNumericFeatures(row.features().numeric())
                .setCategoricalFeatures(row.features().categorical()).build();
    }

    /**
     * A row of a libsvm, VW or JSON lines file as a labeled example of {@code modelId}, with
     * {@code label} (the row's label, mapped to a class) and the row's importance.
     */
    public static LabeledExample example(final String modelId, final String id, final LabeledRow row,
                                         final String label) {
        return LabeledExample.newBuilder().setModelId(modelId).setId(id)
                .setNumericFeatures(row.features().numeric())
                .setCategoricalFeatures(row.features().categorical())
                .setLabel(label).setImportance(row.importance()).build();
    }

    /** A row of a libsvm, VW or JSON lines file, its label left out, as an event for {@code modelId}. */
    public static Event event(final String modelId, final String id, final LabeledRow row) {
        return Event.newBuilder().setId(id).setModelId(modelId)
                .setNumericFeatures(row.features().numeric())
                .setCategoricalFeatures(row.features().categorical()).build();
    }

    private static boolean isCsv(final Path file) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv");
    }

    /**
     * Reads {@code file}. CSV: one record per row (the label column is the label of an example;
     * events need none, and ignore it where there is one); JSON lines: one object per line in the records' JSON form.
     */
    public static Result read(final Path file, final boolean examples, final String modelId, final String labelColumn)
            throws IOException {
        final List<Keyed> records = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        final String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        if (isCsv(file)) {
            final CsvDataset data = examples ? CsvDataset.read(file, labelColumn)
                    : CsvDataset.readEvents(file, labelColumn);
            for (final CsvDataset.Row row : data.rows()) {
                final String id = stem + ":" + row.line();
                records.add(examples ? new Keyed(modelId, example(modelId, id, row))
                        : new Keyed(id, event(modelId, id, row)));
            }
            return new Result(records, refused);
        }
        final JsonCodec<LabeledExample> exampleJson = new JsonCodec<>(LabeledExample.class);
        final JsonCodec<Event> eventJson = new JsonCodec<>(Event.class);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                    if (examples) {
                        final LabeledExample e = exampleJson.decode(bytes);
                        records.add(new Keyed(e.getModelId(), e));
                    } else {
                        final Event e = eventJson.decode(bytes);
                        records.add(new Keyed(e.getId(), e));
                    }
                } catch (final RejectedInputException e) {
                    refused.add(file + " line " + number + ": " + e.reason() + ": " + e.getMessage());
                }
            }
        }
        return new Result(records, refused);
    }
}
