package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV reader: declared columns, missing-value tokens, schema files, and the warning of a column inferred categorical. */
class CsvReaderTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private CsvReader reader(final CsvSchema schema) {
        return new CsvReader("label", schema, warnings::add);
    }

    private static CsvSchema schema(final Set<String> numeric, final Set<String> categorical, final Set<String> ignored,
                                    final Set<String> na) {
        return new CsvSchema(numeric, categorical, ignored, na);
    }

    private Path file(final String name, final String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    /** {@code rows} rows of prices 0.5, 1.5, ..., hours 0-23, binary labels; line {@code naLine} holds {@code cell}. */
    private Path prices(final String name, final int rows, final int naLine, final String cell) throws Exception {
        final StringBuilder text = new StringBuilder("price,hour,label\n");
        for (int i = 0; i < rows; i++) {
            final int line = i + 2;
            text.append(line == naLine ? cell : String.valueOf(i + 0.5)).append(',').append(i % 24).append(',')
                    .append(i % 3 == 0 ? 1 : 0).append('\n');
        }
        return file(name, text.toString());
    }

    @Test
    void declaredKindsWinOverInferenceAndIgnoredColumnsAreLeftOut() throws Exception {
        final Path data = file("d.csv", "id,hour,zip,size,label\nr1,7,02134,3,1\nr2,23,10001,,0\n");
        final CsvDataset read = reader(schema(Set.of("size"), Set.of("hour", "zip"), Set.of("id"), Set.of()))
                .examples(data);
        assertEquals(Map.of("hour", false, "zip", false, "size", true), read.columns());
        assertEquals(Map.of("hour", "7", "zip", "02134"), read.rows().get(0).features().categorical());
        assertEquals(Map.of("size", 3.0), read.rows().get(0).features().numeric());
        assertEquals(Map.of(), read.rows().get(1).features().numeric(), "an empty cell stays missing");
        // undeclared, the same file: hour and zip are numbers, id is a category
        final CsvDataset inferred = reader(CsvSchema.NONE).examples(data);
        assertEquals(Map.of("id", false, "hour", true, "zip", true, "size", true), inferred.columns());
        assertEquals(2134.0, inferred.rows().get(0).features().numeric().get("zip"));
        assertEquals(List.of(), warnings);
    }

    @Test
    void naTokensLeaveTheFeatureAbsentInNumericAndCategoricalColumnsAndAddToTheEmptyCell() throws Exception {
        final Path data = file("na.csv", "price,colour,label\n1.5,red,1\nN/A,?,0\n,blue,1\n ? , N/A ,0\n");
        final CsvDataset read = reader(schema(Set.of(), Set.of(), Set.of(), Set.of("N/A", "?"))).examples(data);
        assertEquals(Map.of("price", true, "colour", false), read.columns());
        assertEquals(Map.of(), read.rows().get(1).features().numeric());
        assertEquals(Map.of(), read.rows().get(1).features().categorical());
        assertEquals(Map.of(), read.rows().get(2).features().numeric(), "the empty cell is still missing");
        assertEquals(Map.of("colour", "blue"), read.rows().get(2).features().categorical());
        assertTrue(read.rows().get(3).features().numeric().isEmpty() && read.rows().get(3).features().categorical()
                .isEmpty(), "cells are trimmed before they are matched");
        // tokens match exactly: n/a is a category
        final Path lower = file("lower.csv", "colour,label\nn/a,1\n");
        assertEquals(Map.of("colour", "n/a"), reader(schema(Set.of(), Set.of(), Set.of(), Set.of("N/A")))
                .examples(lower).rows().get(0).features().categorical());
        // a label that is a missing-value token is no label, and the message says why (--na -1 with labels -1/1)
        final Path label = file("label.csv", "x,label\n1,1\n2,N/A\n");
        final IllegalArgumentException noLabel = assertThrows(IllegalArgumentException.class,
                () -> reader(schema(Set.of(), Set.of(), Set.of(), Set.of("N/A"))).examples(label));
        assertTrue(noLabel.getMessage().contains("line 3 has the label 'N/A', which --na names a missing value"),
                noLabel.getMessage());
        final Path empty = file("empty-label.csv", "x,label\n1,1\n2,\n");
        final IllegalArgumentException emptyLabel = assertThrows(IllegalArgumentException.class,
                () -> reader(schema(Set.of(), Set.of(), Set.of(), Set.of())).examples(empty));
        assertTrue(emptyLabel.getMessage().contains("line 3 has no label"), emptyLabel.getMessage());
    }

    @Test
    void aGzipCompressedFileReadsAsItsPlainTextAndAPlainOneNamedGzIsRefusedWithItsName() throws Exception {
        final Path plain = prices("plain.csv", 200, 58, "N/A");
        final Path compressed = dir.resolve("plain.csv.gz");
        try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(compressed))) {
            Files.copy(plain, out);
        }
        final CsvSchema na = schema(Set.of(), Set.of(), Set.of(), Set.of("N/A"));
        assertEquals(reader(na).examples(plain, null), reader(na).examples(compressed, null));
        assertEquals(reader(na).events(plain), reader(na).events(compressed));
        final Path notGzip = Files.copy(plain, dir.resolve("fake.csv.gz"));
        final java.io.IOException e = assertThrows(java.io.IOException.class, () -> reader(na).examples(notGzip, null));
        assertTrue(e.getMessage().contains("fake.csv.gz: not gzip-compressed"), e.getMessage());
    }

    @Test
    void aDeclaredColumnNotInTheHeaderIsAnErrorNamingItAndTheHeader() throws Exception {
        final Path data = file("h.csv", "price,colour,label\n1,red,1\n");
        for (final CsvSchema typo : List.of(schema(Set.of("prcie"), Set.of(), Set.of(), Set.of()),
                schema(Set.of(), Set.of("prcie"), Set.of(), Set.of()),
                schema(Set.of(), Set.of(), Set.of("prcie"), Set.of()))) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reader(typo).examples(data));
            assertTrue(e.getMessage().contains("declared column 'prcie' is not in the header (columns: [price, colour, "
                    + "label])"), e.getMessage());
        }
    }

    @Test
    void aColumnDeclaredWithTwoKindsIsAnError() {
        final IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> schema(Set.of("price"), Set.of("price"), Set.of(), Set.of()));
        assertTrue(both.getMessage().contains("column 'price' is declared both numeric and categorical"),
                both.getMessage());
        final IllegalArgumentException ignored = assertThrows(IllegalArgumentException.class,
                () -> schema(Set.of(), Set.of("id"), Set.of("id"), Set.of()));
        assertTrue(ignored.getMessage().contains("'id' is declared both categorical and ignored"), ignored.getMessage());
        // across a schema file and the options
        final CsvSchema file = schema(Set.of("price"), Set.of(), Set.of(), Set.of());
        assertThrows(IllegalArgumentException.class, () -> file.and(schema(Set.of(), Set.of(), Set.of("price"),
                Set.of())));
        assertEquals(Set.of("price"), file.and(file).numeric(), "the same declaration twice is one");
    }

    @Test
    void theLabelColumnCannotBeDeclared() throws Exception {
        final Path data = file("l.csv", "x,label\n1,1\n");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reader(schema(Set.of(), Set.of("label"), Set.of(), Set.of())).examples(data));
        assertTrue(e.getMessage().contains("'label' is the label column"), e.getMessage());
        // events without a label column: a column that happens to be named label is a feature like any other
        final Path events = file("events.csv", "x,label\n1,a\n");
        final CsvDataset read = new CsvReader("y", schema(Set.of(), Set.of("label"), Set.of(), Set.of()),
                warnings::add).events(events);
        assertEquals(Map.of("label", "a"), read.rows().get(0).features().categorical());
    }

    @Test
    void aNumericColumnHoldingANonNumberThatIsNotMissingIsAnErrorWithItsLine() throws Exception {
        final Path data = file("n.csv", "price,label\n1,1\nN/A,0\ncheap,1\n");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reader(schema(Set.of("price"), Set.of(), Set.of(), Set.of("N/A"))).examples(data));
        assertTrue(e.getMessage().contains("n.csv line 4: column 'price' is numeric but holds 'cheap'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--na"), e.getMessage());
    }

    @Test
    void aTestFileIsReadWithTheTrainingKindsAndTheSameDeclarations() throws Exception {
        final CsvReader reader = reader(schema(Set.of(), Set.of("hour"), Set.of("id"), Set.of("N/A")));
        final CsvDataset train = reader.examples(file("train.csv", "id,hour,price,label\na,1,2.5,1\nb,2,N/A,0\n"));
        assertEquals(Map.of("hour", false, "price", true), train.columns());
        // in the test file price is only N/A and words would make it categorical; it keeps its training kind
        final Path test = file("test.csv", "id,hour,price,label\nc,3,N/A,1\n");
        final CsvDataset scored = reader.examples(test, train.columns());
        assertEquals(train.columns(), scored.columns());
        assertEquals(Map.of("hour", "3"), scored.rows().get(0).features().categorical());
        assertEquals(Map.of(), scored.rows().get(0).features().numeric());
        final IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> reader.examples(file("bad.csv", "id,hour,price,label\nc,3,cheap,1\n"), train.columns()));
        assertTrue(word.getMessage().contains("bad.csv line 2: column 'price' is numeric but holds 'cheap'"),
                word.getMessage());
    }

    @Test
    void aSchemaFileDeclaresWhatTheOptionsDeclare() throws Exception {
        final Path file = file("schema.txt", """
                # the columns of clicks.csv
                numeric: price, qty
                Categorical: hour

                ignore: id
                categorical : zip
                na: N/A, ?
                """);
        final CsvSchema read = CsvSchema.read(file);
        assertEquals(schema(Set.of("price", "qty"), Set.of("hour", "zip"), Set.of("id"), Set.of("N/A", "?")), read);
        assertEquals(Set.of("", "N/A", "?"), read.missing(), "the empty cell stays missing");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> CsvSchema.read(file("bad.txt", "numeric: a\nprice numeric\n")));
        assertTrue(bad.getMessage().contains("bad.txt line 2: expected 'numeric: COLUMN, ...'"), bad.getMessage());
        final IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> CsvSchema.read(file("twice.txt", "numeric: a\nignore: a\n")));
        assertTrue(twice.getMessage().contains("twice.txt: column 'a' is declared both numeric and ignored"),
                twice.getMessage());
    }

    /**
     * The reported case: one N/A among numbers turned a numeric column into as many categories as
     * it has values, silently. It now warns, once, with the line; with the token declared missing
     * the column stays numeric and reads as the file whose cell is empty.
     */
    @Test
    void oneNaAmongNumbersWarnsOnceWithItsLineAndDeclaredMissingReadsAsAnEmptyCell() throws Exception {
        final Path withNa = prices("na.csv", 500, 58, "N/A");
        final CsvDataset inferred = reader(CsvSchema.NONE).examples(withNa);
        assertEquals(Map.of("price", false, "hour", true), inferred.columns(), "what inference alone does");
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals(withNa + ": column 'price' is read as categorical because 1 of its 500 non-missing cells is not "
                + "a number, the first at line 58: 'N/A'. If such cells mean a missing value, add --na N/A; if the "
                + "column is categorical, declare it with --categorical price", warnings.get(0));

        warnings.clear();
        final CsvDataset declared = reader(schema(Set.of(), Set.of(), Set.of(), Set.of("N/A"))).examples(withNa);
        final CsvDataset empty = reader(CsvSchema.NONE).examples(prices("empty.csv", 500, 58, ""));
        assertEquals(Map.of("price", true, "hour", true), declared.columns());
        assertEquals(empty, declared, "the N/A cell reads as the empty one");
        assertFalse(declared.rows().get(56).features().numeric().containsKey("price"));
        assertEquals(List.of(), warnings);
        // declared categorical, it is what the user asked for: no warning
        reader(schema(Set.of(), Set.of("price"), Set.of(), Set.of())).examples(withNa);
        assertEquals(List.of(), warnings);
    }

    @Test
    void theWarningCountsEveryNonNumberSuggestsTheirTokensAndSparesColumnsMostlyOfWords() throws Exception {
        final StringBuilder text = new StringBuilder("price,colour,label\n");
        for (int i = 0; i < 20; i++) {
            text.append(i == 3 ? "?" : i == 9 || i == 12 ? "missing" : String.valueOf(i)).append(',')
                    .append(i % 4 == 0 ? "7" : "red").append(",1\n");
        }
        final Path data = file("w.csv", text.toString());
        reader(CsvSchema.NONE).examples(data);
        assertEquals(1, warnings.size(), "one warning per column, none for colour (mostly words): " + warnings);
        assertTrue(warnings.get(0).contains("column 'price' is read as categorical because 3 of its 20 non-missing "
                + "cells are not a number, the first at line 5: '?'"), warnings.get(0));
        assertTrue(warnings.get(0).contains("add --na ?,missing;"), warnings.get(0));
        final Map<String, Boolean> kinds = new LinkedHashMap<>();
        kinds.put("price", false);
        kinds.put("colour", false);
        warnings.clear();
        reader(CsvSchema.NONE).examples(data, kinds);
        assertEquals(List.of(), warnings, "kinds given, nothing is inferred");
    }
}
