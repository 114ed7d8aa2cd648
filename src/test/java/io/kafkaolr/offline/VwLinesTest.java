package io.kafkaolr.offline;

import static io.kafkaolr.offline.ReadRows.numeric;
import static io.kafkaolr.offline.ReadRows.read;
import static io.kafkaolr.offline.ReadRows.rejection;
import static io.kafkaolr.offline.ReadRows.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kafkaolr.offline.RowRejection.Reason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vowpal Wabbit text lines: labels, importance, tags, namespaces, and each refusal. */
class VwLinesTest {
    @TempDir
    Path dir;

    @Test
    void namespacesPrefixTheirFeaturesAndAFeatureWithoutValueIsOne() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.vw"),
                "1 | price:0.5 sqft:2 fresh\n-1 |user age:31 |item id7 |  bias\n"));
        assertEquals(List.of(
                new LabeledRow("1", 1.0, numeric("price", 0.5, "sqft", 2.0, "fresh", 1.0), null, 1),
                new LabeledRow("-1", 1.0, numeric("user^age", 31.0, "item^id7", 1.0, "bias", 1.0), null, 2)),
                read.rows());
        assertEquals(List.of(), read.rejections());
    }

    @Test
    void importanceAndTagsTouchingTheBarOrStartingWithAnApostrophe() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.vw"), String.join("\n",
                "1 2.5 row7| a",
                "0 'row8 | a",
                "3 0.5 'row9|x a",
                "2 0 |x a")));
        assertEquals(List.of(
                new LabeledRow("1", 2.5, numeric("a", 1.0), "row7", 1),
                new LabeledRow("0", 1.0, numeric("a", 1.0), "row8", 2),
                new LabeledRow("3", 0.5, numeric("x^a", 1.0), "row9", 3),
                new LabeledRow("2", 0.0, numeric("x^a", 1.0), null, 4)), read.rows());
    }

    @Test
    void aNamespaceValueScalesItsFeatures() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.vw"), "1 |user:0.5 age:30 member |item:2 price:3\n"));
        assertEquals(List.of(new LabeledRow("1", 1.0,
                numeric("user^age", 15.0, "user^member", 0.5, "item^price", 6.0), null, 1)), read.rows());
    }

    @Test
    void eachMalformedLineIsRefusedWithItsReasonAndReadingGoesOn() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.vw"), String.join("\n",
                "| a b",              // 1 no label
                "tag| a",             // 2 only a tag before the bar
                "1 a b",              // 3 no bar
                "x | a",              // 4 label not a number
                "1 -2 | a",           // 5 negative importance
                "1 heavy 'tag | a",   // 6 importance not a number
                "1 | a:",             // 7 ':' without value
                "1 | a:b",            // 8
                "1 | a:NaN",          // 9
                "1 | a:Infinity",     // 10
                "1 |user age:1 |item",   // 11 namespace without features
                "1 |",                // 12 default namespace without features
                "1 | a:1 a:2",        // 13
                "1 |u a |u a:3",      // 14 the same namespace twice repeats u^a
                "1 | :3",             // 15 feature without a name
                "1 |u:abc a",         // 16 bad scale
                "1 |u:1e300 a:1e300", // 17 scaled value overflows
                "1 2 3 4 | a",        // 18 too much before the bar
                "1 nan | a",          // 19
                "-1 | b:2")));        // 20 fine
        assertEquals(List.of(
                rejection(1, Reason.MISSING_LABEL), rejection(2, Reason.MISSING_LABEL), rejection(3, Reason.MALFORMED),
                rejection(4, Reason.BAD_LABEL), rejection(5, Reason.BAD_IMPORTANCE),
                rejection(6, Reason.BAD_IMPORTANCE), rejection(7, Reason.BAD_VALUE), rejection(8, Reason.BAD_VALUE),
                rejection(9, Reason.NOT_FINITE), rejection(10, Reason.NOT_FINITE),
                rejection(11, Reason.EMPTY_NAMESPACE), rejection(12, Reason.EMPTY_NAMESPACE),
                rejection(13, Reason.DUPLICATE_FEATURE), rejection(14, Reason.DUPLICATE_FEATURE),
                rejection(15, Reason.BAD_INDEX), rejection(16, Reason.BAD_VALUE), rejection(17, Reason.NOT_FINITE),
                rejection(18, Reason.MALFORMED), rejection(19, Reason.NOT_FINITE)), read.reasons());
        assertEquals(List.of(new LabeledRow("-1", 1.0, numeric("b", 2.0), null, 20)), read.rows());
    }

    @Test
    void commentsBlankLinesTrailingSpacesCrlfByteOrderMarkAndGzip() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.vw.gz"),
                "\uFEFF# written by hand\r\n\r\n1 |f a:2   \r\n  \t\r\n0 |f b  \r\n"));
        assertEquals(List.of(
                new LabeledRow("1", 1.0, numeric("f^a", 2.0), null, 3),
                new LabeledRow("0", 1.0, numeric("f^b", 1.0), null, 5)), read.rows());
        assertEquals(List.of(), read.rejections());
    }
}
