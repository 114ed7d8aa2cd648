package io.kafkaolr.offline;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;

/** Dataset rows as labeled examples or events: a CSV file read whole, and the rows of the line formats. */
public final class RecordFiles {
    private RecordFiles() {
    }

    /** A record read from a file, with its Kafka key (the model id for examples, the event id for events). */
    public record Keyed(String key, SpecificRecordBase record) {
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

    /**
     * Reads a CSV file whole with {@code reader} (its column kinds need every row): one record per
     * row; the label column is the label of an example; events need none, and ignore it where
     * there is one. JSON lines files are read one record at a time by {@link JsonRecordReader}.
     */
    public static List<Keyed> readCsv(final CsvReader reader, final Path file, final boolean examples,
                                      final String modelId) throws IOException {
        final List<Keyed> records = new ArrayList<>();
        final String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        final CsvDataset data = examples ? reader.examples(file) : reader.events(file);
        for (final CsvDataset.Row row : data.rows()) {
            final String id = stem + ":" + row.line();
            records.add(examples ? new Keyed(modelId, example(modelId, id, row))
                    : new Keyed(id, event(modelId, id, row)));
        }
        return records;
    }
}
