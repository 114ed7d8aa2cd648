package io.kafkaolr.offline;

import static io.kafkaolr.offline.ReadRows.read;
import static io.kafkaolr.offline.ReadRows.rejection;
import static io.kafkaolr.offline.ReadRows.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.Features;
import io.kafkaolr.offline.RowRejection.Reason;
import io.kafkaolr.serde.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON lines of labeled examples, in the form {@code olr consume} prints them. */
class JsonLinesTest {
    @TempDir
    Path dir;

    @Test
    void aRecordAsTheCodecWritesItReadsBack() throws Exception {
        final LabeledExample example = LabeledExample.newBuilder().setModelId("m").setId("e1")
                .setNumericFeatures(Map.of("x", 1.5)).setCategoricalFeatures(Map.of("colour", "red"))
                .setLabel("1").setImportance(2.0).build();
        final String line = new String(new JsonCodec<>(LabeledExample.class).encode(example), StandardCharsets.UTF_8);
        final ReadRows read = read(write(dir.resolve("a.jsonl"),
                line + "\n{\"model_id\":\"m\",\"label\":0}\n"));
        assertEquals(List.of(
                new LabeledRow("1", 2.0, new Features(Map.of("x", 1.5), Map.of("colour", "red")), "e1", 1),
                new LabeledRow("0", 1.0, new Features(Map.of(), Map.of()), null, 2)), read.rows());
        assertEquals(List.of(), read.rejections());
    }

    @Test
    void eachMalformedLineIsRefusedWithItsReasonAndReadingGoesOn() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.jsonl"), String.join("\n",
                "{\"model_id\":\"m\"",                                          // 1 cut short
                "[1,2]",                                                        // 2 not an object
                "# comment",                                                    // 3 JSON has none
                "{\"model_id\":\"m\",\"numeric_features\":{\"x\":1}}",           // 4 no label
                "{\"model_id\":\"m\",\"label\":\"\"}",                           // 5 empty label
                "{\"model_id\":\"m\",\"label\":\"1\",\"colour\":\"red\"}",       // 6 unknown field
                "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":\"a\"}}", // 7
                "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":NaN}}",   // 8
                "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":1,\"x\":2}}", // 9
                "{\"model_id\":\"m\",\"label\":\"1\",\"importance\":-1}",        // 10
                "{\"model_id\":\"m\",\"label\":\"1\",\"importance\":Infinity}",  // 11
                "{\"model_id\":\"m\",\"label\":\"1\"} trailing",                 // 12
                "",                                                             // 13 blank
                "{\"model_id\":\"m\",\"label\":\"1\"}")));                       // 14 fine
        assertEquals(List.of(
                rejection(1, Reason.UNPARSEABLE_JSON), rejection(2, Reason.UNPARSEABLE_JSON),
                rejection(3, Reason.UNPARSEABLE_JSON), rejection(4, Reason.MISSING_LABEL),
                rejection(5, Reason.MISSING_LABEL), rejection(6, Reason.INVALID_RECORD),
                rejection(7, Reason.INVALID_RECORD), rejection(8, Reason.NOT_FINITE),
                rejection(9, Reason.DUPLICATE_FEATURE), rejection(10, Reason.BAD_IMPORTANCE),
                rejection(11, Reason.NOT_FINITE), rejection(12, Reason.UNPARSEABLE_JSON)), read.reasons());
        assertEquals(List.of(new LabeledRow("1", 1.0, new Features(Map.of(), Map.of()), null, 14)), read.rows());
    }

    @Test
    void crlfEndingsAByteOrderMarkTrailingSpacesAndGzip() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.jsonl.gz"),
                "\uFEFF{\"model_id\":\"m\",\"label\":\"a\"}  \r\n\r\n{\"model_id\":\"m\",\"label\":\"b\"}\r\n"));
        assertEquals(List.of(
                new LabeledRow("a", 1.0, new Features(Map.of(), Map.of()), null, 1),
                new LabeledRow("b", 1.0, new Features(Map.of(), Map.of()), null, 3)), read.rows());
        assertEquals(List.of(), read.rejections());
    }
}
