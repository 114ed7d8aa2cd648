package io.kafkaolr.offline;

import static io.kafkaolr.offline.ReadRows.numeric;
import static io.kafkaolr.offline.ReadRows.read;
import static io.kafkaolr.offline.ReadRows.rejection;
import static io.kafkaolr.offline.ReadRows.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.offline.RowRejection.Reason;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line-format row hashed straight from the line's bytes (what a replay learns) is the row its
 * names give: the same vector as hashing the {@link LabeledRow}'s features, each feature's index
 * that of its name.
 */
class ParsedLineTest {
    private static final String[] NAMES = {"a", "b", "price", "age", "x^y", "é", "日本", "id7", "0", "007x"};

    @TempDir
    Path dir;

    @Test
    void hashingTheBytesGivesTheVectorOfTheNamedFeatures() throws Exception {
        final Random random = new Random(11);
        final StringBuilder svm = new StringBuilder();
        final StringBuilder vw = new StringBuilder();
        for (int row = 0; row < 2_000; row++) {
            svm.append(random.nextBoolean() ? "+1" : "-1");
            final int nnz = random.nextInt(40);
            for (int j = 0; j < nnz; j++) {
                // leading zeros and signs name the same index: a duplicate, refused on both paths alike
                svm.append(' ').append(random.nextInt(4) == 0 ? "0" : "").append(random.nextInt(5000)).append(':')
                        .append(random.nextInt(2000) - 1000).append('.').append(random.nextInt(100));
            }
            svm.append(random.nextInt(10) == 0 ? " # comment\n" : "\n");
            vw.append(random.nextBoolean() ? "1" : "0").append(random.nextBoolean() ? " 0.5" : "")
                    .append(random.nextBoolean() ? " 'tag" + row : "");
            final int namespaces = 1 + random.nextInt(3);
            for (int n = 0; n < namespaces; n++) {
                vw.append(random.nextBoolean() ? " | " : " |" + NAMES[random.nextInt(NAMES.length)]
                        + (random.nextInt(4) == 0 ? ":2 " : " "));
                final int features = 1 + random.nextInt(6);
                for (int j = 0; j < features; j++) {
                    vw.append(NAMES[random.nextInt(NAMES.length)]).append(random.nextInt(50))
                            .append(random.nextBoolean() ? ":" + (random.nextInt(300) - 150) / 7.0 : "").append(' ');
                }
            }
            vw.append('\n');
        }
        final FeatureHasher hasher = new FeatureHasher(12); // few bits: collisions, summed alike on both paths
        int rows = 0;
        for (final Path file : List.of(write(dir.resolve("r.svm"), svm.toString()),
                write(dir.resolve("r.vw"), vw.toString()))) {
            final List<LabeledRow> named = read(file).rows();
            try (LabeledRowReader reader = LabeledRowReader.open(file)) {
                final ParsedLine line = reader.current();
                for (final LabeledRow expected : named) {
                    assertEquals(true, reader.advance());
                    assertEquals(expected, line.toRow());
                    assertEquals(expected.label(), line.label());
                    assertEquals(hasher.vectorize(expected.features(), 1000), line.vector(hasher, 1000),
                            "line " + expected.line());
                    final List<String> names = expected.features().names();
                    for (int k = 0; k < names.size(); k++) {
                        assertEquals(names.get(k), line.name(k));
                        assertEquals(hasher.index(names.get(k)), line.index(k));
                    }
                    rows++;
                }
                assertEquals(false, reader.advance());
            }
        }
        assertEquals(true, rows > 3_000, "rows read: " + rows);
    }

    @Test
    void aNameThatTwoNamespacesSpellAlikeIsADuplicate() throws Exception {
        final ReadRows read = read(write(dir.resolve("a.vw"), "1 |a^b c |a b^c\n1 |a^b c |a b^d\n"));
        assertEquals(List.of(rejection(1, Reason.DUPLICATE_FEATURE)), read.reasons());
        assertEquals(List.of(new LabeledRow("1", 1.0, numeric("a^b^c", 1.0, "a^b^d", 1.0), null, 2)), read.rows());
    }

    @Test
    void bytesThatAreNotUtf8RefuseTheLineAndNonAsciiNamesAreRead() throws Exception {
        final Path file = dir.resolve("b.vw");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("1 |ns caf\u00e9 \u65e5\u672c:2\n".getBytes(StandardCharsets.UTF_8));
            out.write(new byte[] {'1', ' ', '|', ' ', 'a', (byte) 0xC3, 0x28, '\n'});
            out.write("0 | b\n".getBytes(StandardCharsets.UTF_8));
        }
        final ReadRows read = read(file);
        assertEquals(List.of(rejection(2, Reason.NOT_UTF8)), read.reasons());
        assertEquals(List.of(new LabeledRow("1", 1.0, numeric("ns^caf\u00e9", 1.0, "ns^\u65e5\u672c", 2.0), null, 1),
                new LabeledRow("0", 1.0, numeric("b", 1.0), null, 3)), read.rows());
        final List<Integer> indices = new ArrayList<>();
        try (LabeledRowReader reader = LabeledRowReader.open(file)) {
            reader.advance();
            reader.current().vector(new FeatureHasher(18), 10);
            indices.add(reader.current().index(0));
            indices.add(reader.current().index(1));
        }
        final FeatureHasher hasher = new FeatureHasher(18);
        assertEquals(List.of(hasher.index("ns^caf\u00e9"), hasher.index("ns^\u65e5\u672c")), indices);
    }
}
