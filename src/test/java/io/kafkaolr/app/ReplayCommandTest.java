package io.kafkaolr.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.WeightRow;
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

class ReplayCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void replayReportsAndExportsExactlyWhatTheTopologyLearnsFromTheSameRows() throws Exception {
        final Path model = dir.resolve("model.json");
        final Cli.Run run = Cli.olr("replay", "--train", Datasets.path("breast-cancer/train.csv").toString(),
                "--test", Datasets.path("breast-cancer/test.csv").toString(),
                "--optimizer", "ftrl", "--l1", "0.5", "--l2", "0.01", "--hash-bits", "12",
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
                "olr.model.optimizer", "ftrl", "olr.model.l1", "0.5", "olr.model.l2", "0.01",
                "olr.model.hash-bits", "12")).modelSettings(), dir.resolve("state"))) {
            topology.learnAll("bc", Datasets.read("breast-cancer/train.csv"));
            fromKafka = topology.model("bc");
            rows = topology.rows("bc");
        }
        assertEquals(fromKafka.metrics().meanLogLoss(), report.at("/train/progressive_log_loss").asDouble(), 0.0);
        assertEquals(fromKafka.metrics().accuracy(), report.at("/train/progressive_accuracy").asDouble(), 0.0);

        final JsonNode exported = JSON.readTree(Files.readString(model));
        assertEquals("binary", exported.get("type").asText());
        assertEquals(OnlineLogisticRegression.bias(fromKafka)[0], exported.get("bias").asDouble(), 0.0);
        assertEquals(456, exported.get("version").asLong());
        assertEquals(0.01, exported.at("/settings/l2").asDouble(), 0.0);
        assertEquals("ftrl", exported.at("/settings/optimizer").asText());
        assertTrue(exported.at("/settings/normalize").asBoolean());
        final FeatureHasher hasher = new FeatureHasher(12);
        final JsonNode weights = exported.get("weights");
        assertEquals(30, weights.size(), "one weight per numeric column");
        for (Iterator<Map.Entry<String, JsonNode>> it = weights.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> w = it.next();
            final WeightRow row = rows.get(hasher.index(w.getKey()));
            assertEquals(OnlineLogisticRegression.weight(fromKafka, row, 0), w.getValue().asDouble(), 0.0, w.getKey());
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
}
