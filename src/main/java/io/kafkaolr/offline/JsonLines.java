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
import java.util.Arrays;
import java.util.Map;

/**
 * JSON lines: one {@link LabeledExample} per line, in the form {@code olr consume} prints, or,
 * for {@link JsonRecordReader} reading events, one {@link Event}.
 */
final class JsonLines implements LineParser {
    // the codec keeps the last of two equal keys and ignores what follows the object; a scan of the tokens first
    // refuses both
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final boolean events;
    private final JsonCodec<LabeledExample> codec;
    private final JsonCodec<Event> eventCodec;

    /** Lines of labeled examples. */
    JsonLines() {
        this(false);
    }

    /** Lines of events when {@code events}, else of labeled examples. */
    JsonLines(final boolean events) {
        this.events = events;
        this.codec = events ? null : new JsonCodec<>(LabeledExample.class);
        this.eventCodec = events ? new JsonCodec<>(Event.class) : null;
    }

    @Override
    public boolean parse(final byte[] line, final int length, final ParsedLine out) throws RejectedLine {
        final byte[] bytes = Arrays.copyOf(line, length);
        if (events) {
            out.event(event(bytes));
        } else {
            final LabeledExample example = example(bytes);
            out.record(example, new Features(example.getNumericFeatures(), example.getCategoricalFeatures()));
        }
        return true;
    }

    /**
     * The line as a labeled example: one JSON object, no key twice, a non-empty label, finite
     * values and a finite importance of at least 0.
     */
    private LabeledExample example(final byte[] bytes) throws RejectedLine {
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
    private Event event(final byte[] bytes) throws RejectedLine {
        checkOneValueWithoutDuplicateKeys(bytes);
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
