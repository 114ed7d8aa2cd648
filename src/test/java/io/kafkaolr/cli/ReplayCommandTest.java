package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.testing.Cli;
import io.kafkaolr.testing.Datasets;
import io.kafkaolr.testing.TopologyRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplayCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * FTRL with elastic net; averaged SGD in mini-batches of 10 (456 rows: the last batch is open,
     * its gradients stored and not applied); logit least squares by recursive least squares.
     */
    @ParameterizedTest
    @CsvSource({"ftrl, 0.5, 0.01, 1, constant", "asgd, 0, 0.001, 10, constant", "rls, 0, 3, 1, constant",
            "nag, 0.01, 0.001, 1, constant"})
    void replayReportsAndExportsExactlyWhatTheTopologyLearnsFromTheSameRows(final String optimizer, final String l1,
                                                                          final String l2, final String batchSize,
                                                                          final String schedule) throws Exception {
        final Path model = dir.resolve("model.json");
        final Cli.Run run = Cli.olr("replay", "--train", Datasets.path("breast-cancer/train.csv").toString(),
                "--test", Datasets.path("breast-cancer/test.csv").toString(),
                "--optimizer", optimizer, "--l1", l1, "--l2", l2, "--hash-bits", "12",
                "--batch-size", batchSize, "--schedule", schedule,
                "--export-model", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        final JsonNode report = JSON.readTree(run.out());
        assertEquals(456, report.at("/train/examples").asLong());
        assertEquals(113, report.at("/test/examples").asLong());
        assertTrue(report.at("/test/log_loss").asDouble() > 0);
        assertTrue(run.err().contains("trained 456/456 rows"), "progress on stderr");

        final ModelState fromKafka;
        final Map<Integer, WeightRow> rows;
        try (TopologyRun topology = TopologyRun.of(OlrConfig.defaults(Map.of(
                "olr.model.optimizer", optimizer, "olr.model.l1", l1, "olr.model.l2", l2,
                "olr.model.hash-bits", "12", "olr.model.batch-size", batchSize,
                "olr.model.schedule", schedule)).modelSettings(), dir.resolve("state"))) {
            topology.learnAll("bc", Datasets.read("breast-cancer/train.csv"));
            fromKafka = topology.model("bc");
            rows = topology.rows("bc");
        }
        assertEquals(batchSize.equals("1") ? 0 : 1, fromKafka.pendingBias().length, "the open batch's bias gradient");
        assertEquals(456 / Integer.parseInt(batchSize), fromKafka.steps());
        assertEquals(fromKafka.metrics().meanLogLoss(), report.at("/train/progressive_log_loss").asDouble(), 0.0);
        assertEquals(fromKafka.metrics().accuracy(), report.at("/train/progressive_accuracy").asDouble(), 0.0);

        final JsonNode exported = JSON.readTree(Files.readString(model));
        assertEquals("binary", exported.get("type").asText());
        assertEquals(OnlineLogisticRegression.bias(fromKafka)[0], exported.get("bias").asDouble(), 0.0);
        assertEquals(456, exported.get("version").asLong());
        assertEquals(Double.parseDouble(l2), exported.at("/settings/l2").asDouble(), 0.0);
        assertEquals(optimizer, exported.at("/settings/optimizer").asText());
        assertEquals(Integer.parseInt(batchSize), exported.at("/settings/batch_size").asInt());
        assertEquals("standardize", exported.at("/settings/normalize").asText());
        assertEquals(30, exported.get("feature_means").size(), "every column is in every row: standardised");
        final FeatureHasher hasher = new FeatureHasher(12);
        final JsonNode weights = exported.get("weights");
        assertEquals(30, weights.size(), "one weight per numeric column");
        for (Iterator<Map.Entry<String, JsonNode>> it = weights.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> w = it.next();
            final WeightRow row = rows.get(hasher.index(w.getKey()));
            assertEquals(OnlineLogisticRegression.weight(fromKafka, row, 0), w.getValue().asDouble(), 0.0, w.getKey());
        }
        // the exported form scores as the model does: bias + sum of w (x - mean), in the features' units
        final WeightAccess access = new WeightAccess() {
            @Override
            public WeightRow read(final int index) {
                return rows.get(index);
            }

            @Override
            public void write(final int index, final WeightRow row) {
                throw new UnsupportedOperationException();
            }
        };
        for (final CsvDataset.Row test : Datasets.read("breast-cancer/test.csv").rows()) {
            double logit = exported.get("bias").asDouble();
            for (final Map.Entry<String, Double> f : test.features().numeric().entrySet()) {
                logit += weights.get(f.getKey()).asDouble()
                        * (f.getValue() - exported.at("/feature_means/" + f.getKey()).asDouble());
            }
            final double expected = OnlineLogisticRegression.predict(fromKafka,
                    hasher.vectorize(test.features(), 100), access).logit();
            assertEquals(expected, logit, 1e-9 * Math.max(1, Math.abs(expected)));
        }
    }

    @Test
    void softmaxExportHasAWeightPerFeatureAndClass() throws Exception {
        final Path model = dir.resolve("wine.json");
        final Cli.Run run = Cli.olr("replay", "--model", "softmax", "--train", Datasets.path("wine/train.csv").toString(),
                "--learning-rate", "1e-4", "--export-model", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        final JsonNode exported = JSON.readTree(Files.readString(model));
        assertEquals("softmax", exported.get("type").asText());
        final List<String> classes = new ArrayList<>();
        exported.get("classes").forEach(c -> classes.add(c.asText()));
        assertEquals(3, classes.size());
        assertEquals(3, exported.get("bias").size());
        assertEquals(13, exported.get("weights").size());
        exported.get("weights").forEach(perClass -> {
            final List<String> names = new ArrayList<>();
            perClass.fieldNames().forEachRemaining(names::add);
            assertEquals(classes, names);
        });
        assertTrue(exported.at("/weights/alcohol/" + classes.get(0)).isDouble());
    }

    @Test
    void rejectedRowsAreCountedAndTheRestLearned() throws Exception {
        final Path csv = dir.resolve("small.csv");
        Files.writeString(csv, """
                x,colour,label
                1,red,1
                -1,blue,0
                2,red,maybe
                ,green,1
                """);
        final Cli.Run run = Cli.olr("replay", "--train", csv.toString());
        assertEquals(0, run.exitCode(), run.err());
        final JsonNode report = JSON.readTree(run.out());
        assertEquals(4, report.at("/train/rows").asLong());
        assertEquals(3, report.at("/train/examples").asLong());
        assertEquals(1, report.at("/train/rejected/UNKNOWN_LABEL").asLong());
        assertTrue(run.err().contains("line 4 rejected: UNKNOWN_LABEL"), run.err());
    }

    @Test
    void badOptionsAndMissingFilesGiveMeaningfulExitCodes() {
        assertEquals(2, Cli.olr("replay").exitCode(), "--train is required");
        assertEquals(2, Cli.olr("replay", "--train", "x.csv", "--model", "ternary").exitCode());
        assertEquals(1, Cli.olr("replay", "--train", dir.resolve("missing.csv").toString()).exitCode());
    }

    @Test
    void replayCrossesTheNamespacesItIsGivenAndExportsTheCrosses() throws Exception {
        final Path csv = dir.resolve("crossed.csv");
        final StringBuilder rows = new StringBuilder("country,device,label\n");
        final String[] countries = {"fr", "de", "us"};
        final String[] devices = {"ios", "web"};
        for (int i = 0; i < 60; i++) {
            final int c = i % 3;
            final int d = (i / 3) % 2;
            rows.append(countries[c]).append(',').append(devices[d]).append(',').append((c == 0) ^ (d == 0) ? 1 : 0)
                    .append('\n');
        }
        Files.writeString(csv, rows.toString());
        final Path model = dir.resolve("crossed.json");
        final Cli.Run run = Cli.olr("replay", "--train", csv.toString(), "--hash-bits", "12",
                "--interactions", "country:device", "--export-model", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        final JsonNode exported = JSON.readTree(model.toFile());
        assertEquals("country:device", exported.at("/settings/interactions").asText());
        // 3 countries and 2 devices: 5 one-hot rows and 6 crosses, each named
        final List<String> names = new ArrayList<>();
        exported.get("weights").fieldNames().forEachRemaining(names::add);
        assertEquals(11, names.size(), names.toString());
        assertEquals(6, names.stream().filter(n -> n.matches("country=\\w+\\*device=\\w+")).count(), names.toString());

        final Cli.Run plain = Cli.olr("replay", "--train", csv.toString(), "--hash-bits", "12",
                "--export-model", dir.resolve("plain.json").toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertEquals("", JSON.readTree(dir.resolve("plain.json").toFile()).at("/settings/interactions").asText());

        // evaluate: every model of the table has the crosses' weights, 11 of them, or none, 5
        final Cli.Run crossed = Cli.olr("evaluate", "--train", csv.toString(), "--test", csv.toString(),
                "--interactions", "country:device");
        assertEquals(0, crossed.exitCode(), crossed.err());
        final Cli.Run uncrossed = Cli.olr("evaluate", "--train", csv.toString(), "--test", csv.toString());
        assertEquals(0, uncrossed.exitCode(), uncrossed.err());
        final List<String> crossedRows = crossed.out().lines().skip(2).toList();
        final List<String> uncrossedRows = uncrossed.out().lines().skip(2).toList();
        assertEquals(2 * Optimizer.values().length, crossedRows.size(), crossed.out());
        assertTrue(crossedRows.stream().allMatch(r -> r.endsWith(" of 11 |")), crossed.out());
        assertTrue(uncrossedRows.stream().allMatch(r -> r.endsWith(" of 5 |")), uncrossed.out());
    }
}
