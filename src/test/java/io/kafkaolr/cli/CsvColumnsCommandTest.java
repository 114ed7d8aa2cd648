package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --numeric}, {@code --categorical}, {@code --ignore}, {@code --na} and
 * {@code --columns-file} through {@code olr replay}, {@code olr evaluate} and {@code olr produce}
 * (what produce sends is checked against a broker in {@code SparseProduceIT}).
 */
class CsvColumnsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 300;
    /** The line of the cell that is N/A in one file and empty in the other. */
    private static final int NA_LINE = 42;

    @TempDir
    Path dir;

    /** id, price (numeric but for {@code cell} on line {@link #NA_LINE}), hour 0-23, label. */
    private Path data(final String name, final String cell) throws Exception {
        final Random random = new Random(11);
        final StringBuilder text = new StringBuilder("id,price,hour,label\n");
        for (int i = 0; i < ROWS; i++) {
            final double price = Math.round(random.nextGaussian() * 100) / 100.0;
            final int hour = random.nextInt(24);
            final boolean positive = price + (hour >= 18 ? 1 : -0.5) + random.nextGaussian() > 0;
            text.append("r").append(i).append(',').append(i + 2 == NA_LINE ? cell : String.valueOf(price)).append(',')
                    .append(hour).append(',').append(positive ? 1 : 0).append('\n');
        }
        return Files.writeString(dir.resolve(name), text);
    }

    private record Replayed(JsonNode report, JsonNode model, String err) {
    }

    private Replayed replay(final Path train, final String... more) throws Exception {
        final Path model = dir.resolve("model-" + System.nanoTime() + ".json");
        final List<String> args = new ArrayList<>(List.of("replay", "--train", train.toString(), "--test",
                train.toString(), "--export-model", model.toString()));
        args.addAll(List.of(more));
        final Cli.Run run = Cli.olr(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        return new Replayed(JSON.readTree(run.out()), JSON.readTree(Files.readString(model)), run.err());
    }

    @Test
    void replayWarnsOfTheNaWithItsLineAndWithNaLearnsTheModelOfTheFileWhoseCellIsEmpty() throws Exception {
        final Path withNa = data("na.csv", "N/A");
        final Path empty = data("empty.csv", "");
        final Replayed inferred = replay(withNa, "--ignore", "id");
        assertTrue(inferred.err().contains("warning: " + withNa + ": column 'price' is read as categorical because 1 "
                + "of its " + ROWS + " non-missing cells is not a number, the first at line " + NA_LINE + ": 'N/A'. If "
                + "such cells mean a missing value, add --na N/A; if the column is categorical, declare it with "
                + "--categorical price"), inferred.err());
        assertTrue(inferred.model().get("weights").size() > 100, "price became one category per value");

        final Replayed declared = replay(withNa, "--ignore", "id", "--na", "N/A");
        final Replayed fromEmpty = replay(empty, "--ignore", "id");
        assertFalse(declared.err().contains("warning"), declared.err());
        assertEquals(fromEmpty.model(), declared.model(), "the exported model, to the bit");
        assertEquals(fromEmpty.report(), declared.report());
        assertEquals(2, declared.model().get("weights").size(), "price and hour: " + declared.model());
    }

    @Test
    void replayTakesTheDeclarationsFromOptionsOrAColumnsFileAlike() throws Exception {
        final Path withNa = data("na.csv", "N/A");
        final Replayed options = replay(withNa, "--ignore", "id", "--categorical", "hour", "--na", "N/A,?");
        // 24 hours, 1 price
        assertEquals(25, options.model().get("weights").size(), options.model().toString());
        assertTrue(options.model().get("weights").has("hour=23"), options.model().toString());
        final Path schema = Files.writeString(dir.resolve("schema.txt"), """
                # na.csv
                ignore: id
                categorical: hour
                na: N/A
                """);
        final Replayed file = replay(withNa, "--columns-file", schema.toString(), "--na", "?");
        assertEquals(options.model(), file.model());
        assertEquals(options.report(), file.report());
        // the file and the options contradict each other
        final Cli.Run contradiction = Cli.olr("replay", "--train", withNa.toString(), "--columns-file",
                schema.toString(), "--numeric", "hour");
        assertEquals(2, contradiction.exitCode(), contradiction.err());
        assertTrue(contradiction.err().contains("column 'hour' is declared both numeric and categorical"),
                contradiction.err());
    }

    @Test
    void evaluateReadsBothFilesWithTheDeclarationsAndWarnsAsReplayDoes() throws Exception {
        final Path withNa = data("na.csv", "N/A");
        final Path empty = data("empty.csv", "");
        final Cli.Run inferred = Cli.olr("evaluate", "--train", withNa.toString(), "--test", empty.toString(),
                "--ignore", "id");
        assertEquals(0, inferred.exitCode(), inferred.err());
        assertTrue(inferred.err().contains("warning: " + withNa + ": column 'price' is read as categorical"),
                inferred.err());
        assertTrue(inferred.err().contains("the first at line " + NA_LINE + ": 'N/A'"), inferred.err());
        final Cli.Run declared = Cli.olr("evaluate", "--train", withNa.toString(), "--test", withNa.toString(),
                "--ignore", "id", "--na", "N/A");
        final Cli.Run fromEmpty = Cli.olr("evaluate", "--train", empty.toString(), "--test", empty.toString(),
                "--ignore", "id");
        assertEquals(0, declared.exitCode(), declared.err());
        assertEquals("", declared.err());
        assertEquals(fromEmpty.out(), declared.out(), "the same table");
        assertNotEquals(inferred.out(), declared.out());
    }

    @Test
    void aDeclaredColumnMissingFromTheHeaderOrTheLabelColumnDeclaredIsAUsageError() throws Exception {
        final Path withNa = data("na.csv", "N/A");
        final Cli.Run typo = Cli.olr("replay", "--train", withNa.toString(), "--numeric", "prcie");
        assertEquals(2, typo.exitCode(), typo.err());
        assertTrue(typo.err().contains("declared column 'prcie' is not in the header (columns: [id, price, hour, "
                + "label])"), typo.err());
        final Cli.Run label = Cli.olr("evaluate", "--train", withNa.toString(), "--test", withNa.toString(),
                "--categorical", "label");
        assertEquals(2, label.exitCode(), label.err());
        assertTrue(label.err().contains("'label' is the label column"), label.err());
        final Cli.Run numeric = Cli.olr("replay", "--train", withNa.toString(), "--numeric", "price");
        assertEquals(2, numeric.exitCode(), numeric.err());
        assertTrue(numeric.err().contains("line " + NA_LINE + ": column 'price' is numeric but holds 'N/A'"),
                numeric.err());
    }

    @Test
    void theOptionsAreRefusedForInputThatIsNotCsv() throws Exception {
        final Path svm = Files.writeString(dir.resolve("data.svm"), "1 1:0.5\n-1 2:1\n");
        final Cli.Run replay = Cli.olr("replay", "--train", svm.toString(), "--na", "N/A");
        assertEquals(2, replay.exitCode(), replay.err());
        assertTrue(replay.err().contains("--numeric, --categorical, --ignore, --na and --columns-file apply to CSV "
                + "files only, and data.svm is read as libsvm, VW or JSON lines"), replay.err());
        final Cli.Run test = Cli.olr("replay", "--train", data("d.csv", "1").toString(), "--test", svm.toString(),
                "--ignore", "id");
        assertEquals(2, test.exitCode(), test.err());
        final Cli.Run evaluate = Cli.olr("evaluate", "--train", svm.toString(), "--test", svm.toString(),
                "--categorical", "1");
        assertEquals(2, evaluate.exitCode(), evaluate.err());
        assertTrue(evaluate.err().contains("apply to CSV files only"), evaluate.err());
        // produce refuses before it asks Kafka anything: no broker is given here
        final Cli.Run produce = Cli.olr("produce", "--topic", "examples", "--file", svm.toString(),
                "--columns-file", "schema.txt");
        assertEquals(2, produce.exitCode(), produce.err());
        assertTrue(produce.err().contains("apply to CSV files only, and data.svm is read as libsvm"), produce.err());
        // declarations that contradict themselves are refused by produce before Kafka too
        final Cli.Run contradiction = Cli.olr("produce", "--topic", "examples", "--file", data("p.csv", "1").toString(),
                "--numeric", "price", "--categorical", "price");
        assertEquals(2, contradiction.exitCode(), contradiction.err());
        assertTrue(contradiction.err().contains("price"), contradiction.err());
        // without the options, the same files are read as before
        assertEquals(0, Cli.olr("replay", "--train", svm.toString()).exitCode());
    }

    @Test
    void theHelpOfEachCommandNamesTheOptionsAsCsvOnly() {
        for (final String command : List.of("replay", "evaluate", "produce")) {
            final Cli.Run help = Cli.olr(command, "--help");
            assertEquals(0, help.exitCode());
            for (final String option : List.of("--numeric", "--categorical", "--ignore", "--na", "--columns-file",
                    "--label-column")) {
                assertTrue(help.out().contains(option), command + " " + option + ": " + help.out());
            }
            assertTrue(help.out().contains("CSV: cells that mean a missing value"), help.out());
        }
    }
}
