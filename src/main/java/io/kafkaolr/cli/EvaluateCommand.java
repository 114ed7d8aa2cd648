package io.kafkaolr.cli;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.CsvReader;
import io.kafkaolr.offline.OnePassEvaluation;
import io.kafkaolr.offline.SparseInput;
import io.kafkaolr.offline.TooManyRejectionsException;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code olr evaluate}: every optimizer, with its defaults and tuned by progressive validation, on one dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Learn a CSV, libsvm, VW or JSON lines file in one online pass with every optimizer, once with its default settings and "
                + "once with the settings whose pass had the lowest progressive log loss (the test file plays no part "
                + "in that choice), and score the test file with each model.",
                "libsvm (.svm, .libsvm), VW (.vw) and JSON lines (.jsonl) files, optionally gzipped (.gz), are read "
                        + "a row at a time, once per setting tried, never whole; labels as in olr replay.",
                "CSV: columns are read as by olr replay, --numeric, --categorical, --ignore, --na and --columns-file "
                        + "included; the test file is read with the training file's column kinds.",
                "Prints a Markdown table on stdout."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the table was printed", "1:the input could not be read, or more lines were refused than --max-rejected allows", "2:invalid options"})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "the file to learn (CSV, libsvm, VW or JSON lines)")
    Path train;

    @Option(names = "--test", required = true, paramLabel = "FILE", description = "the file to score, in the same format")
    Path test;

    @Option(names = "--model", defaultValue = "binary", paramLabel = "binary|softmax",
            description = "binary logistic regression or softmax (default: ${DEFAULT-VALUE})")
    ModelType type;

    @Option(names = "--classes", split = ",", paramLabel = "NEG,POS",
            description = "binary: the negative and positive label (default: 0,1)")
    List<String> classes;

    @Mixin
    InputFileOptions input;

    @Mixin
    CsvColumnOptions csv;

    @Option(names = "--interactions", paramLabel = "A:B,...", description = "feature crosses of every model, as olr"
            + " replay's --interactions (default: none)")
    String interactions;

    /** One row of the table. */
    public record Entry(Optimizer optimizer, boolean tuned, OnePassEvaluation.Outcome outcome) {
    }

    /** Every optimizer's default and tuned outcome. */
    public static List<Entry> evaluate(final ModelType type, final List<String> classes, final CsvDataset train,
                                       final CsvDataset test) {
        return evaluate(type, classes, null, train, test);
    }

    /** Every optimizer's default and tuned outcome, each model with the feature crosses {@code interactions} (null: none). */
    public static List<Entry> evaluate(final ModelType type, final List<String> classes, final String interactions,
                                       final CsvDataset train, final CsvDataset test) {
        try {
            return evaluate(type, classes, interactions, OnePassEvaluation.Passes.of(train, test));
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e); // datasets in memory: nothing is read
        }
    }

    /** Every optimizer's default and tuned outcome, on libsvm, VW or JSON lines files read a row at a time. */
    public static List<Entry> evaluate(final ModelType type, final List<String> classes, final String interactions,
                                       final SparseInput train, final SparseInput test) throws IOException {
        return evaluate(type, classes, interactions, OnePassEvaluation.Passes.of(train, test));
    }

    private static List<Entry> evaluate(final ModelType type, final List<String> classes, final String interactions,
                                        final OnePassEvaluation.Passes passes) throws IOException {
        final List<Entry> entries = new ArrayList<>();
        for (final Optimizer optimizer : Optimizer.values()) {
            final ModelSettings defaults = defaults(type, classes, interactions, optimizer);
            entries.add(new Entry(optimizer, false,
                    OnePassEvaluation.run(defaults, passes, io.kafkaolr.core.Limits.DEFAULT_FEATURES)));
            entries.add(new Entry(optimizer, true, OnePassEvaluation.tuned(OnePassEvaluation.grid(defaults, optimizer),
                    passes, io.kafkaolr.core.Limits.DEFAULT_FEATURES)));
        }
        return entries;
    }

    /** The settings a model of {@code optimizer} gets when nothing else is configured. */
    public static ModelSettings defaults(final ModelType type, final List<String> classes, final Optimizer optimizer) {
        return defaults(type, classes, null, optimizer);
    }

    /** As {@link #defaults(ModelType, List, Optimizer)}, with the feature crosses {@code interactions} (null: none). */
    public static ModelSettings defaults(final ModelType type, final List<String> classes, final String interactions,
                                         final Optimizer optimizer) {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("olr.model.type", type.name());
        settings.put("olr.model.optimizer", optimizer.name());
        if (classes != null) {
            settings.put("olr.model.classes", String.join(",", classes));
        }
        if (interactions != null) {
            settings.put("olr.model.interactions", interactions);
        }
        return OlrConfig.defaults(settings).modelSettings();
    }

    /**
     * The entries as a Markdown table; with a finite {@code reference} test log loss (a batch
     * optimum), a column gives each entry's gap to it in percent.
     */
    public static String table(final List<Entry> entries, final boolean binary, final double reference) {
        final boolean gap = Double.isFinite(reference);
        final StringBuilder out = new StringBuilder();
        out.append("| learner | settings | chosen by | progressive log loss | test log loss |")
                .append(gap ? " gap to batch |" : "").append(" test accuracy |")
                .append(binary ? " test AUC |" : "").append(" non-zero weights |\n");
        out.append("|---|---|---|---:|---:|").append(gap ? "---:|" : "").append("---:|")
                .append(binary ? "---:|" : "").append("---:|\n");
        for (final Entry e : entries) {
            final OnePassEvaluation.Outcome o = e.outcome();
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %.4f |",
                    e.optimizer().name().toLowerCase(Locale.ROOT), o.describe(),
                    e.tuned() ? "progressive validation" : "defaults", o.progressiveLogLoss(), o.testLogLoss()));
            if (gap) {
                out.append(String.format(Locale.ROOT, " %+.1f%% |", 100 * (o.testLogLoss() - reference) / reference));
            }
            out.append(String.format(Locale.ROOT, " %.4f |", o.testAccuracy()));
            if (binary) {
                out.append(String.format(Locale.ROOT, " %.4f |", o.testAuc()));
            }
            out.append(String.format(Locale.ROOT, " %d of %d |%n", o.nonZeroWeights(), o.weights()));
        }
        return out.toString();
    }

    @Override
    public Integer call() throws Exception {
        final SparseInput sparseTrain = input.sparse(train);
        final SparseInput sparseTest = input.sparse(test);
        if ((sparseTrain == null) != (sparseTest == null)) {
            throw new IllegalArgumentException("--train and --test must both be CSV, or both libsvm, VW or JSON lines");
        }
        csv.refuseFor(sparseTrain != null ? train : null);
        final List<Entry> entries;
        if (sparseTrain != null) {
            try {
                entries = evaluate(type, classes, interactions, sparseTrain, sparseTest);
            } catch (final TooManyRejectionsException e) {
                spec.commandLine().getErr().println(spec.commandLine().getCommandName() + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
        } else {
            final CsvReader reader = csv.reader(spec.commandLine().getErr());
            final CsvDataset trainData = reader.examples(train);
            final CsvDataset testData = reader.examples(test, trainData.columns());
            entries = evaluate(type, classes, interactions, trainData, testData);
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.print(table(entries, type == ModelType.BINARY, Double.NaN));
        out.flush();
        return 0;
    }
}
