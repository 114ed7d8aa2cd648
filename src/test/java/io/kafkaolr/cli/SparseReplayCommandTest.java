package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.testing.Cli;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code olr replay} and {@code olr evaluate} on libsvm, VW and JSON lines files. */
class SparseReplayCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 60;

    @TempDir
    Path dir;

    /** One small dataset: three numeric features, binary labels, values that read back exactly. */
    private static List<double[]> rows() {
        final Random random = new Random(7);
        final List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            final double a = random.nextGaussian();
            final double b = random.nextGaussian() * 3;
            final double c = random.nextDouble();
            final double label = a - 0.3 * b + random.nextGaussian() > 0 ? 1 : 0;
            rows.add(new double[] {a, b, c, label});
        }
        return rows;
    }

    private Path write(final String name, final String header, final java.util.function.Function<double[], String> line)
            throws Exception {
        final StringBuilder text = new StringBuilder(header);
        rows().forEach(r -> text.append(line.apply(r)).append('\n'));
        final Path file = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(file, text);
        }
        return file;
    }

    private Path csv() throws Exception {
        return write("data.csv", "1,2,3,label\n", r -> r[0] + "," + r[1] + "," + r[2] + "," + (int) r[3]);
    }

    private Path libsvm(final String name) throws Exception {
        return write(name, "", r -> (r[3] == 1 ? "+1" : "-1") + " 1:" + r[0] + " 2:" + r[1] + " 3:" + r[2]);
    }

    private Path vw() throws Exception {
        return write("data.vw", "", r -> (r[3] == 1 ? "1" : "-1") + " | 1:" + r[0] + " 2:" + r[1] + " 3:" + r[2]);
    }

    private Path jsonl() throws Exception {
        return write("data.jsonl", "", r -> "{\"model_id\":\"m\",\"numeric_features\":{\"1\":" + r[0] + ",\"2\":" + r[1]
                + ",\"3\":" + r[2] + "},\"label\":\"" + (int) r[3] + "\"}");
    }

    private record Replayed(JsonNode report, JsonNode model, String err) {
    }

    private Replayed replay(final Path train, final String... more) throws Exception {
        final Path model = dir.resolve(train.getFileName() + ".model.json");
        final List<String> args = new ArrayList<>(List.of("replay", "--train", train.toString(),
                "--optimizer", "adagrad", "--l2", "0.001", "--export-model", model.toString()));
        args.addAll(List.of(more));
        final Cli.Run run = Cli.olr(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        return new Replayed(JSON.readTree(run.out()), JSON.readTree(Files.readString(model)), run.err());
    }

    @Test
    void theSameRowsAsCsvLibsvmVwJsonlAndGzipLearnTheSameModelToTheBit() throws Exception {
        final Replayed fromCsv = replay(csv());
        assertEquals(ROWS, fromCsv.report().at("/train/examples").asLong());
        assertEquals(3, fromCsv.model().get("weights").size());
        final Path plain = libsvm("plain.txt");
        for (final Replayed other : List.of(replay(libsvm("data.svm")), replay(libsvm("data.libsvm.gz")), replay(vw()),
                replay(jsonl()), replay(plain, "--input-format", "libsvm"))) {
            assertEquals(fromCsv.report(), other.report(), "the report, to the bit");
            assertEquals(fromCsv.model(), other.model(), "the exported model, to the bit");
            assertTrue(other.err().contains("trained " + ROWS + " rows"), other.err());
        }
        // a test file in a sparse format scores as the CSV one
        final Replayed tested = replay(libsvm("train.svm"), "--test", vw().toString());
        final Replayed testedCsv = replay(csv(), "--test", csv().toString());
        assertEquals(testedCsv.report().get("test"), tested.report().get("test"));
    }

    @Test
    void rowsParsedAheadOfLearningNameEveryRowAsOneThreadWould() throws Exception {
        // far more rows than the parser runs ahead of the learner, names new to the end, 2^10 rows
        // for thousands of names (collisions), and rows whose label is no class (never learned, so
        // they create nothing): each row must be named by the features of the row whose step
        // created it, as the CSV replay, one thread, names it
        final Random random = new Random(7);
        final StringBuilder csv = new StringBuilder("a,b,c,label\n");
        final StringBuilder vw = new StringBuilder();
        for (int i = 0; i < 12_000; i++) {
            final String a = "u" + random.nextInt(1 + i / 4);
            final String b = "v" + random.nextInt(3000);
            final String c = "w" + i;
            final String label = i % 50 == 0 ? "7" : random.nextBoolean() ? "1" : "0";
            csv.append(a).append(',').append(b).append(',').append(c).append(',').append(label).append('\n');
            vw.append(label).append(" | a=").append(a).append(" b=").append(b).append(" c=").append(c).append('\n');
        }
        final Path csvFile = dir.resolve("names.csv");
        final Path vwFile = dir.resolve("names.vw");
        Files.writeString(csvFile, csv);
        Files.writeString(vwFile, vw);
        final Replayed fromCsv = replay(csvFile, "--hash-bits", "10", "--classes", "0,1");
        final Replayed fromVw = replay(vwFile, "--hash-bits", "10", "--classes", "0,1");
        assertEquals(11_760, fromVw.report().at("/train/examples").asLong());
        assertEquals(240, fromVw.report().at("/train/rejected/BAD_LABEL").asLong(), fromVw.report().toString());
        assertEquals(fromCsv.model(), fromVw.model(), "the exported model, names included, to the bit");
    }

    @Test
    void crossesOfVwNamespacesLearnWhatTheSameRowsLearnFromCsvAndJsonLines() throws Exception {
        // VW namespaces u and ad; the CSV columns and JSON names u^a, u^b and ad^x are in the same ones
        final Path vw = write("crossed.vw", "", r -> (r[3] == 1 ? "1" : "-1") + " |u a:" + r[0] + " b:" + r[1]
                + " |ad x:" + r[2]);
        final Path csv = write("crossed.csv", "u^a,u^b,ad^x,label\n", r -> r[0] + "," + r[1] + "," + r[2] + ","
                + (int) r[3]);
        final Path jsonl = write("crossed.jsonl", "", r -> "{\"model_id\":\"m\",\"numeric_features\":{\"u^a\":" + r[0]
                + ",\"u^b\":" + r[1] + ",\"ad^x\":" + r[2] + "},\"label\":\"" + (int) r[3] + "\"}");
        final Replayed fromVw = replay(vw, "--interactions", "u:ad");
        // 3 features and 2 x 1 crosses, each named
        assertEquals(5, fromVw.model().get("weights").size(), fromVw.model().get("weights").toString());
        assertTrue(fromVw.model().get("weights").has("u^a*ad^x"), fromVw.model().get("weights").toString());
        assertTrue(fromVw.model().get("weights").has("u^b*ad^x"), fromVw.model().get("weights").toString());
        for (final Replayed other : List.of(replay(csv, "--interactions", "u:ad"),
                replay(jsonl, "--interactions", "u:ad"))) {
            assertEquals(fromVw.report(), other.report(), "the report, to the bit");
            assertEquals(fromVw.model(), other.model(), "the exported model, to the bit");
        }
        final Replayed plain = replay(vw);
        assertEquals(3, plain.model().get("weights").size());
    }

    @Test
    void binaryLabelsMapByValueWhateverTheClassesAreNamed() throws Exception {
        final Replayed named = replay(libsvm("named.svm"), "--classes", "no,yes");
        assertEquals(JSON.readTree("[\"no\",\"yes\"]"), named.report().at("/train/classes"));
        assertEquals(ROWS, named.report().at("/train/examples").asLong());
        assertEquals(0, named.report().at("/train/rejected").size());
    }

    @Test
    void softmaxTakesTheLabelTextAsTheClass() throws Exception {
        final Path file = dir.resolve("multi.vw");
        Files.writeString(file, "1 | a:1 b:2\n2 | a:-1\n3 2.0 tag| b:1\n1 | a:2\n");
        final Replayed softmax = replay(file, "--model", "softmax");
        assertEquals(JSON.readTree("[\"1\",\"2\",\"3\"]"), softmax.report().at("/train/classes"));
        assertEquals(4, softmax.report().at("/train/examples").asLong());
    }

    @Test
    void refusedLinesAreCountedByReasonWithTheirLineNumbers() throws Exception {
        final Path file = dir.resolve("bad.svm");
        Files.writeString(file, """
                1 1:0.5 2:1
                abc 1:2
                # a comment

                2 1:1
                0 1:x
                -1 1:1 1:2
                0 2:-1.5
                """);
        final Replayed run = replay(file);
        final JsonNode train = run.report().get("train");
        assertEquals(2, train.get("examples").asLong());
        assertEquals(6, train.get("rows").asLong(), "rows learned and lines refused");
        assertEquals(2, train.at("/rejected/BAD_LABEL").asLong(), "abc; 2 in a binary model");
        assertEquals(1, train.at("/rejected/BAD_VALUE").asLong());
        assertEquals(1, train.at("/rejected/DUPLICATE_FEATURE").asLong());
        assertEquals(3, train.get("rejected").size());
        assertTrue(run.err().contains("bad.svm: line 2 rejected: BAD_LABEL"), run.err());
        assertTrue(run.err().contains("bad.svm: line 5 rejected: BAD_LABEL: label '2' is not a class"), run.err());
        assertTrue(run.err().contains("bad.svm: line 6 rejected: BAD_VALUE"), run.err());
        assertTrue(run.err().contains("bad.svm: line 7 rejected: DUPLICATE_FEATURE"), run.err());
    }

    @Test
    void onlyTheFirstRefusalsAreShownThenACount() throws Exception {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            text.append(i % 2 == 0 ? "1 1:1\n" : "x 1:1\n");
        }
        final Path file = dir.resolve("noisy.svm");
        Files.writeString(file, text);
        final Replayed run = replay(file);
        assertEquals(12, run.report().at("/train/rejected/BAD_LABEL").asLong());
        assertTrue(run.err().contains("line 20 rejected"), run.err());
        assertFalse(run.err().contains("line 22 rejected"), run.err());
        assertTrue(run.err().contains("2 more lines rejected, not shown (12 in all)"), run.err());
    }

    @Test
    void moreRefusalsThanMaxRejectedStopWithAnErrorAndExitCode1() throws Exception {
        final Path file = dir.resolve("bad.vw");
        Files.writeString(file, "1 | a:1\nno_bar a:1\n1 | a:1\n5 | a:1\n1 | a:2\n");
        final Cli.Run stopped = Cli.olr("replay", "--train", file.toString(), "--max-rejected", "1");
        assertEquals(1, stopped.exitCode(), stopped.err());
        assertEquals("", stopped.out());
        assertTrue(stopped.err().contains("more than 1 lines refused"), stopped.err());
        assertTrue(stopped.err().contains("stopped at line 4"), stopped.err());
        final Cli.Run within = Cli.olr("replay", "--train", file.toString(), "--max-rejected", "2");
        assertEquals(0, within.exitCode(), within.err());
        // refused lines of the reader count too
        final Cli.Run reader = Cli.olr("replay", "--train", file.toString(), "--max-rejected", "0");
        assertEquals(1, reader.exitCode(), reader.err());
        assertTrue(reader.err().contains("stopped at line 2 (MALFORMED"), reader.err());
        assertEquals(1, Cli.olr("evaluate", "--train", file.toString(), "--test", file.toString(),
                "--max-rejected", "0").exitCode());
    }

    @Test
    void anUnknownExtensionOrFormatIsAUsageError() throws Exception {
        final Path file = libsvm("data.txt");
        assertEquals(2, Cli.olr("replay", "--train", file.toString()).exitCode());
        assertEquals(2, Cli.olr("replay", "--train", file.toString(), "--input-format", "arff").exitCode());
    }

    @Test
    void evaluateOnSparseFilesPrintsTheTableItPrintsOnCsv() throws Exception {
        final Cli.Run onCsv = Cli.olr("evaluate", "--train", csv().toString(), "--test", csv().toString());
        assertEquals(0, onCsv.exitCode(), onCsv.err());
        final Cli.Run onSvm = Cli.olr("evaluate", "--train", libsvm("train.svm.gz").toString(),
                "--test", libsvm("test.svm").toString());
        assertEquals(0, onSvm.exitCode(), onSvm.err());
        assertTrue(onSvm.out().startsWith("| learner | settings |"), onSvm.out());
        assertEquals(onCsv.out(), onSvm.out(), "the same rows, the same table");
        assertEquals(2, Cli.olr("evaluate", "--train", csv().toString(), "--test", libsvm("t.svm").toString())
                .exitCode(), "CSV and a sparse format mixed");
    }

    @Test
    void aDryRunCountsAndHashesEveryRowAndLearnsNothing() throws Exception {
        final Path file = dir.resolve("dry.svm");
        Files.writeString(file, """
                1 1:0.5 2:1
                abc 1:2
                0 1:x
                -1 1:1 3:2
                0 2:-1.5
                """);
        final Path model = dir.resolve("dry.model.json");
        final Cli.Run run = Cli.olr("replay", "--train", file.toString(), "--dry-run");
        assertEquals(0, run.exitCode(), run.err());
        final JsonNode dry = JSON.readTree(run.out()).get("dry_run");
        assertEquals(5, dry.get("rows").asLong(), "rows hashed and lines refused");
        assertEquals(3, dry.get("hashed").asLong());
        assertEquals(5, dry.get("non_zeros").asLong());
        assertEquals(1, dry.at("/rejected/BAD_LABEL").asLong());
        assertEquals(1, dry.at("/rejected/BAD_VALUE").asLong(), dry.toString());
        assertTrue(dry.get("rows_per_second").asDouble() > 0);
        assertFalse(JSON.readTree(run.out()).has("train"), "no training report");
        // the same pass through the replay: the model stays untrained
        final io.kafkaolr.offline.Replay replay = new io.kafkaolr.offline.Replay(io.kafkaolr.core.ModelSettings.binary(0.5,
                io.kafkaolr.core.LearningRateSchedule.CONSTANT), 1000, new java.io.PrintWriter(java.io.Writer.nullWriter()));
        replay.dryRun(new io.kafkaolr.offline.SparseInput(file, io.kafkaolr.offline.RowFormat.LIBSVM, Long.MAX_VALUE));
        assertEquals(0, replay.model().metrics().examples());
        assertEquals(0, replay.storedWeights());
        // a dry run writes no model and takes no test file
        assertEquals(2, Cli.olr("replay", "--train", file.toString(), "--dry-run", "--export-model",
                model.toString()).exitCode());
        assertFalse(Files.exists(model));
        assertEquals(2, Cli.olr("replay", "--train", file.toString(), "--dry-run", "--test", file.toString()).exitCode());
    }
}
