package io.kafkaolr.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code olr replay}: one online pass over a CSV file, outside Kafka, with the processor's numeric core. */
@Command(name = "replay", mixinStandardHelpOptions = true, defaultValueProvider = ModelOptions.Defaults.class,
        description = {"Learn a CSV file in one online pass, row by row in file order, exactly as the training "
                + "processor would learn the same rows sent to Kafka in that order (predict, then one SGD step).",
                "Prints a JSON report on stdout; progress and rejected rows go to stderr.",
                "Numeric columns become numeric features named by their header; other columns categorical "
                        + "features (header=value)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the report was printed", "1:the input could not be read", "2:invalid options"})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "the CSV file to learn")
    Path train;

    @Option(names = "--test", paramLabel = "FILE", description = "a CSV file scored with the final model")
    Path test;

    @Option(names = "--label-column", defaultValue = "label", description = "the label column (default: ${DEFAULT-VALUE})")
    String labelColumn;

    @Option(names = "--export-model", paramLabel = "FILE", description = "write the learned model as JSON to FILE")
    Path exportModel;

    @Option(names = "--max-features", defaultValue = "" + io.kafkaolr.core.Limits.DEFAULT_FEATURES,
            description = "rows with more features are rejected (default: ${DEFAULT-VALUE})")
    int maxFeatures;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        final CsvDataset trainData = CsvDataset.read(train, labelColumn);
        final Replay replay = new Replay(modelOptions.settings(), maxFeatures, err);
        replay.train(trainData);
        final ObjectNode report = ModelJson.MAPPER.createObjectNode();
        report.set("train", replay.trainReport());
        if (test != null) {
            report.set("test", replay.test(CsvDataset.read(test, labelColumn, trainData.columns())));
        }
        if (exportModel != null) {
            ModelJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(exportModel.toFile(), replay.export());
            err.println("model written to " + exportModel);
            err.flush();
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.println(ModelJson.MAPPER.writeValueAsString(report));
        out.flush();
        return 0;
    }
}
