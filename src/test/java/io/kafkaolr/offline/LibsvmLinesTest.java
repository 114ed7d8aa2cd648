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

/** libsvm / svmlight lines: what is a row, and what is refused with which reason. */
class LibsvmLinesTest {
    @TempDir
    Path dir;

    @Test
    void indexJIsTheNumericFeatureNamedJAndTheLabelIsKeptAsWritten() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.svm"), "+1 1:0.5 3:-2 10:1e3\n-1 2:1\n3\n"));
        assertEquals(List.of(
                new LabeledRow("+1", 1.0, numeric("1", 0.5, "3", -2.0, "10", 1000.0), null, 1),
                new LabeledRow("-1", 1.0, numeric("2", 1.0), null, 2),
                new LabeledRow("3", 1.0, numeric(), null, 3)), read.rows());
        assertEquals(List.of(), read.rejections());
    }

    @Test
    void indexZeroIsAcceptedAndLeadingZerosNameTheSameFeature() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.libsvm"), "0 0:1 007:2\n1 7:1 07:2\n"));
        assertEquals(List.of(new LabeledRow("0", 1.0, numeric("0", 1.0, "7", 2.0), null, 1)), read.rows());
        assertEquals(List.of(rejection(2, Reason.DUPLICATE_FEATURE)), read.reasons());
    }

    @Test
    void commentsBlankLinesTrailingSpacesAndQidAreNotFeatures() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.svm"),
                "# a header comment\n\n   \n1 qid:4 1:2   \t \n0 2:3 # the rest is a comment 5:1\n  # indented\n"));
        assertEquals(List.of(
                new LabeledRow("1", 1.0, numeric("1", 2.0), null, 4),
                new LabeledRow("0", 1.0, numeric("2", 3.0), null, 5)), read.rows());
        assertEquals(List.of(), read.rejections());
    }

    @Test
    void eachMalformedLineIsRefusedWithItsReasonAndReadingGoesOn() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.svm"), String.join("\n",
                "1:0.5 2:1",          // 1 no label
                "yes 1:1",            // 2 label not a number
                "1 -3:1",             // 3 negative index
                "1 x:1",              // 4 index not a number
                "1 1.5:1",            // 5 fractional index
                "1 1:",               // 6 ':' without value
                "1 1:abc",            // 7
                "1 1:NaN",            // 8
                "1 1:-inf",           // 9
                "1 1:1e999",          // 10 overflows
                "1 2:1 2:3",          // 11
                "1 5",                // 12 no ':'
                "1 1:0x10",           // 13 hex is not a plain decimal
                "1 99999999999999999999:1", // 14
                "nan 1:1",            // 15
                "1 1:1 qid:3",        // 16 qid only right after the label
                "0 4:4")));           // 17 fine
        assertEquals(List.of(
                rejection(1, Reason.MISSING_LABEL), rejection(2, Reason.BAD_LABEL), rejection(3, Reason.BAD_INDEX),
                rejection(4, Reason.BAD_INDEX), rejection(5, Reason.BAD_INDEX), rejection(6, Reason.BAD_VALUE),
                rejection(7, Reason.BAD_VALUE), rejection(8, Reason.NOT_FINITE), rejection(9, Reason.NOT_FINITE),
                rejection(10, Reason.NOT_FINITE), rejection(11, Reason.DUPLICATE_FEATURE),
                rejection(12, Reason.BAD_VALUE), rejection(13, Reason.BAD_VALUE), rejection(14, Reason.BAD_INDEX),
                rejection(15, Reason.BAD_LABEL), rejection(16, Reason.BAD_INDEX)), read.reasons());
        assertEquals(List.of(new LabeledRow("0", 1.0, numeric("4", 4.0), null, 17)), read.rows());
    }

    @Test
    void crlfEndingsAByteOrderMarkAndGzip() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.svm.gz"), "\uFEFF1 1:1\r\n0 2:2\r\n\r\n-1 3:3"));
        assertEquals(List.of(
                new LabeledRow("1", 1.0, numeric("1", 1.0), null, 1),
                new LabeledRow("0", 1.0, numeric("2", 2.0), null, 2),
                new LabeledRow("-1", 1.0, numeric("3", 3.0), null, 4)), read.rows());
        assertEquals(List.of(), read.rejections());
    }
}
