package io.kafkaolr.offline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.JsonCodec;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/** JSON lines: one {@link LabeledExample} per line, in the form {@code olr consume} prints. */
final class JsonLines implements LineParser {
    // the codec keeps the last of two equal keys and ignores what follows the object; a scan of the tokens first
    // refuses both
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final JsonCodec<LabeledExample> codec = new JsonCodec<>(LabeledExample.class);

    @Override
    public boolean parse(final byte[] line, final int length, final ParsedLine out) throws RejectedLine {
        final byte[] bytes = Arrays.copyOf(line, length);
        checkOneValueWithoutDuplicateKeys(bytes);
        final LabeledExample example;
        try {
            example = codec.decode(bytes);
        } catch (final RejectedInputException e) {
            if (e.reason() == RejectReason.UNPARSEABLE) {
                throw new RejectedLine(RowRejection.Reason.UNPARSEABLE_JSON, e.getMessage());
            }
            if (e.reason() == RejectReason.MISSING_FIELD && e.getMessage().equals("missing field 'label'")) {
                throw new RejectedLine(RowRejection.Reason.MISSING_LABEL, e.getMessage());
            }
            throw new RejectedLine(RowRejection.Reason.INVALID_RECORD, e.getMessage());
        }
        if (example.getLabel().isEmpty()) {
            throw new RejectedLine(RowRejection.Reason.MISSING_LABEL, "the label is empty");
        }
        final Map<String, Double> numeric = example.getNumericFeatures();
        for (final Map.Entry<String, Double> feature : numeric.entrySet()) {
            if (!Double.isFinite(feature.getValue())) {
                throw new RejectedLine(RowRejection.Reason.NOT_FINITE,
                        "feature " + feature.getKey() + " is " + feature.getValue());
            }
        }
        final double importance = example.getImportance();
        if (!Double.isFinite(importance)) {
            throw new RejectedLine(RowRejection.Reason.NOT_FINITE, "the importance is " + importance);
        }
        if (importance < 0) {
            throw new RejectedLine(RowRejection.Reason.BAD_IMPORTANCE, "the importance is negative: " + importance);
        }
        out.record(example.getLabel(), importance, new Features(numeric, example.getCategoricalFeatures()),
                example.getId());
        return true;
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
