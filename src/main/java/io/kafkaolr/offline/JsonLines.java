package io.kafkaolr.offline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * JSON lines: one {@link LabeledExample} per line, in the form {@code olr consume} prints (or,
 * for {@link JsonRecordReader}, one {@link Event}).
 */
final class JsonLines implements LineParser {
    // the codec keeps the last of two equal keys and ignores what follows the object; a scan of the tokens first
    // refuses both
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final JsonCodec<LabeledExample> codec = new JsonCodec<>(LabeledExample.class);
    /** Made when the first event is read: replay reads examples only. */
    private JsonCodec<Event> eventCodec;

    @Override
    public boolean isComment(final String line) {
        return false;
    }

    @Override
    public LabeledRow parse(final String line, final long number) throws RejectedLine {
        final LabeledExample example = example(line);
        return new LabeledRow(example.getLabel(), example.getImportance(),
                new Features(example.getNumericFeatures(), example.getCategoricalFeatures()), example.getId(), number);
    }

    /**
     * The line as a labeled example: one JSON object, no key twice, a non-empty label, finite
     * values and a finite importance of at least 0.
     */
    LabeledExample example(final String line) throws RejectedLine {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        checkOneValueWithoutDuplicateKeys(bytes);
        final LabeledExample example;
        try {
            example = codec.decode(bytes);
        } catch (final RejectedInputException e) {
            throw refusal(e);
        }
        if (example.getLabel().isEmpty()) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL, "the label is empty");
        }
        checkFinite(example.getNumericFeatures());
        final double importance = example.getImportance();
        if (!Double.isFinite(importance)) {
            throw new RejectedLine(RowRejection.Reason.NOT_FINITE, "the importance is " + importance);
        }
        if (importance < 0) {
            throw new RejectedLine(RowRejection.Reason.BAD_IMPORTANCE, "the importance is negative: " + importance);
        }
        return example;
    }

    /** The line as an event (no label): one JSON object, no key twice, finite values. */
    Event event(final String line) throws RejectedLine {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        checkOneValueWithoutDuplicateKeys(bytes);
        if (eventCodec == null) {
            eventCodec = new JsonCodec<>(Event.class);
        }
        final Event event;
        try {
            event = eventCodec.decode(bytes);
        } catch (final RejectedInputException e) {
            throw refusal(e);
        }
        checkFinite(event.getNumericFeatures());
        return event;
    }

    private static RejectedLine refusal(final RejectedInputException e) {
        if (e.reason() == RejectReason.UNPARSEABLE) {
            return new RejectedLine(RowRejection.Reason.UNPARSEABLE_JSON, e.getMessage());
        }
        if (e.reason() == RejectReason.MISSING_FIELD && e.getMessage().equals("missing field 'label'")) {
            return new RejectedLine(RowRejection.Reason.MISSING_LABEL, e.getMessage());
        }
        return new RejectedLine(RowRejection.Reason.INVALID_RECORD, e.getMessage());
    }

    private static void checkFinite(final Map<String, Double> numeric) throws RejectedLine {
        for (final Map.Entry<String, Double> feature : numeric.entrySet()) {
            if (!Double.isFinite(feature.getValue())) {
                throw new RejectedLine(RowRejection.Reason.NOT_FINITE,
                        "feature " + feature.getKey() + " is " + feature.getValue());
            }
        }
    }

    /** Refuses a repeated key anywhere in the line, and anything after its one value. */
    private static void checkOneValueWithoutDuplicateKeys(final byte[] bytes) throws RejectedLine {
        try (JsonParser parser = STRICT.createParser(bytes)) {
            if (parser.nextToken() == null) {
                return; // nothing at all: the codec words that
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new RejectedLine(RowRejection.Reason.UNPARSEABLE_JSON, "more than one JSON value on the line");
            }
        } catch (final JsonParseException e) {
            if (e.getOriginalMessage().startsWith("Duplicate field")) {
                throw new RejectedLine(RowRejection.Reason.DUPLICATE_FEATURE, e.getOriginalMessage());
            }
            throw new RejectedLine(RowRejection.Reason.UNPARSEABLE_JSON, "not JSON: " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw new RejectedLine(RowRejection.Reason.UNPARSEABLE_JSON, "not JSON: " + e.getMessage());
        }
    }
}
