package io.kafkaolr.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.CsvReader;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.offline.SparseInput;
import io.kafkaolr.offline.TooManyRejectionsException;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code olr replay}: one online pass over a CSV, libsvm, VW or JSON lines file, outside Kafka,
 * with the processor's numeric core.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, defaultValueProvider = ModelOptions.Defaults.class,
        description = {"Learn a CSV, libsvm, VW or JSON lines file in one online pass, row by row in file order, exactly as the training "
                + "processor would learn the same rows sent to Kafka in that order (predict, then one SGD step).",
                "Prints a JSON report on stdout; progress and rejected rows go to stderr.",
                "CSV: a column whose every non-missing cell is a number becomes a numeric feature named by its "
                        + "header, other columns categorical features (header=value); --numeric, --categorical and "
                        + "--ignore declare columns, --na names the cells that mean a missing value (the feature is "
                        + "absent), and a column read as categorical though most of its cells are numbers is warned "
                        + "about on stderr, with the line of its first non-number.",
                "libsvm (.svm, .libsvm), VW (.vw) and JSON lines (.jsonl) files, optionally gzipped (.gz), are read "
                        + "a row at a time (docs/LINE-FORMATS.md); binary models: label -1 or 0 is the negative class, "
                        + "1 or +1 the positive; softmax: the label is the class."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the report was printed", "1:the input could not be read, or more lines were refused than --max-rejected allows", "2:invalid options"})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "the file to learn (CSV, libsvm, VW or JSON lines)")
    Path train;

    @Option(names = "--test", paramLabel = "FILE", description = "a file scored with the final model")
    Path test;

    @Option(names = "--export-model", paramLabel = "FILE", description = "write the learned model as JSON to FILE")
    Path exportModel;

    @Option(names = "--max-features", defaultValue = "" + io.kafkaolr.core.Limits.DEFAULT_FEATURES,
            description = "rows with more features are rejected (default: ${DEFAULT-VALUE})")
    int maxFeatures;

    @Mixin
    InputFileOptions input;

    @Mixin
    CsvColumnOptions csv;

    @Option(names = "--dry-run", description = "libsvm, VW, JSON lines: read the file, map the labels and hash the "
            + "features as a replay would, learn nothing; prints the rows, the refusals and the rows per second")
    boolean dryRun;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        final SparseInput sparseTrain = input.sparse(train);
        final SparseInput sparseTest = test == null ? null : input.sparse(test);
        csv.refuseFor(sparseTrain != null ? train : sparseTest != null ? test : null);
        final Replay replay = new Replay(modelOptions.settings(), maxFeatures, err);
        final ObjectNode report = ModelJson.MAPPER.createObjectNode();
        if (dryRun) {
            if (sparseTrain == null || test != null || exportModel != null) {
                throw new ParameterException(spec.commandLine(),
                        "--dry-run reads a libsvm, VW or JSON lines --train file, without --test or --export-model");
            }
            try {
                report.set("dry_run", replay.dryRun(sparseTrain));
            } catch (final TooManyRejectionsException e) {
                err.println(spec.commandLine().getCommandName() + ": " + e.getMessage());
                err.flush();
                return 1;
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println(ModelJson.MAPPER.writeValueAsString(report));
            out.flush();
            return 0;
        }
        try {
            final CsvReader reader = csv.reader(err);
            CsvDataset trainData = null;
            if (sparseTrain != null) {
                replay.train(sparseTrain);
            } else {
                trainData = reader.examples(train);
                replay.train(trainData);
            }
            report.set("train", replay.trainReport());
            if (sparseTest != null) {
                report.set("test", replay.test(sparseTest));
            } else if (test != null) {
                report.set("test", replay.test(reader.examples(test,
                        trainData == null ? null : trainData.columns())));
            }
        } catch (final TooManyRejectionsException e) {
            err.println(spec.commandLine().getCommandName() + ": " + e.getMessage());
            err.flush();
            return 1;
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
