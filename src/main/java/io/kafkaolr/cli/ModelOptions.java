package io.kafkaolr.cli;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Normalization;
import io.kafkaolr.core.Optimizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The model settings as command-line options, shared by the commands that create models. Each
 * option is an {@code olr.model.*} setting under another name: its default and its meaning
 * are {@link OlrConfig}'s, so a model built from options equals one built from configuration.
 */
public final class ModelOptions {
    private static final Map<String, String> SETTINGS = Map.ofEntries(
            Map.entry("--model", "olr.model.type"),
            Map.entry("--optimizer", "olr.model.optimizer"),
            Map.entry("--schedule", "olr.model.schedule"),
            Map.entry("--power-t", "olr.model.power-t"),
            Map.entry("--l1", "olr.model.l1"),
            Map.entry("--ftrl-beta", "olr.model.ftrl-beta"),
            Map.entry("--normalize", "olr.model.normalize"),
            Map.entry("--batch-size", "olr.model.batch-size"),
            Map.entry("--label-clip", "olr.model.label-clip"),
            Map.entry("--max-dimension", "olr.model.max-dimension"),
            Map.entry("--hash-bits", "olr.model.hash-bits"));

    @Option(names = "--model", paramLabel = "binary|softmax",
            description = "binary logistic regression or softmax over many classes (default: ${DEFAULT-VALUE})")
    ModelType type;

    @Option(names = "--optimizer", paramLabel = "nag|sgd|asgd|adagrad|ftrl|rls",
            description = "nag (normalised adaptive gradient: steps that do not grow with the number of features),"
                    + " sgd, averaged sgd, adagrad, ftrl (FTRL-Proximal), or rls: least squares on clipped logit"
                    + " labels by recursive least squares, for dense inputs of modest dimension (default: ${DEFAULT-VALUE})")
    Optimizer optimizer;

    @Option(names = "--learning-rate", paramLabel = "ETA0",
            description = "step size eta0 (FTRL: alpha) (default: the optimizer's, EVALUATION.md)")
    Double learningRate;

    @Option(names = "--schedule", paramLabel = "constant|invscaling|optimal",
            description = "sgd and asgd: constant eta0; invscaling eta0 / t^power_t; optimal 1 / (alpha (t0 + t))"
                    + " with alpha = l1 + l2 (default: ${DEFAULT-VALUE})")
    LearningRateSchedule schedule;

    @Option(names = "--power-t", description = "exponent of invscaling (default: ${DEFAULT-VALUE})")
    double powerT;

    @Option(names = "--l1", description = "L1 penalty on the weights, not the bias (default: ${DEFAULT-VALUE})")
    double l1;

    @Option(names = "--l2", description = "L2 penalty on the weights, not the bias; rls: its ridge, on the bias too"
            + " (default: 0; rls: 1)")
    Double l2;

    @Option(names = "--label-clip", paramLabel = "EPS", description = "rls: labels are clipped to [EPS, 1 - EPS] before"
            + " their logit is taken (default: ${DEFAULT-VALUE})")
    double labelClip;

    @Option(names = "--max-dimension", paramLabel = "D", description = "rls: refuse examples that bring the number of"
            + " features above D (default: ${DEFAULT-VALUE})")
    int maxDimension;

    @Option(names = "--ftrl-beta", description = "FTRL's beta, which also damps nag's first steps (default:"
            + " ${DEFAULT-VALUE})")
    double ftrlBeta;

    @Option(names = "--normalize", paramLabel = "none|scale|standardize",
            description = "none: raw values; scale: each feature divided by the root mean square of its values;"
                    + " standardize: as scale, but features present in every example are standardised (default:"
                    + " ${DEFAULT-VALUE})")
    Normalization normalization;

    @Option(names = "--batch-size", paramLabel = "B",
            description = "average the gradients of B examples into one step (default: ${DEFAULT-VALUE}, a step per example)")
    int batchSize;

    @Option(names = "--hash-bits", description = "features are hashed onto 2^BITS dimensions (default: ${DEFAULT-VALUE})")
    int hashBits;

    @Option(names = "--classes", split = ",", paramLabel = "NEG,POS|C1,C2,...",
            description = "binary: the negative and positive label (default: 0,1); softmax: the classes known "
                    + "from the start (default: none, classes are added as they appear)")
    List<String> classes;

    @Option(names = "--fixed-classes", description = "softmax: refuse labels not given by --classes "
            + "(UNKNOWN_LABEL) instead of adding them")
    boolean fixedClasses;

    @Option(names = "--interactions", paramLabel = "A:B,...",
            description = "feature crosses, as Vowpal Wabbit's -q: each pair A:B adds the products of the features of"
                    + " namespaces A and B (a namespace: the part of a name before its first ^, else the whole name;"
                    + " a CSV column) (default: none)")
    String interactions;

    /** The settings these options describe, built as the configuration builds them. */
    public ModelSettings settings() {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("olr.model.type", type.name());
        settings.put("olr.model.optimizer", optimizer.name());
        if (learningRate != null) {
            settings.put("olr.model.learning-rate", String.valueOf(learningRate));
        }
        settings.put("olr.model.schedule", schedule.name());
        settings.put("olr.model.power-t", String.valueOf(powerT));
        settings.put("olr.model.l1", String.valueOf(l1));
        if (l2 != null) {
            settings.put("olr.model.l2", String.valueOf(l2));
        }
        settings.put("olr.model.label-clip", String.valueOf(labelClip));
        settings.put("olr.model.max-dimension", String.valueOf(maxDimension));
        settings.put("olr.model.ftrl-beta", String.valueOf(ftrlBeta));
        settings.put("olr.model.normalize", normalization.name());
        settings.put("olr.model.batch-size", String.valueOf(batchSize));
        settings.put("olr.model.hash-bits", String.valueOf(hashBits));
        if (classes != null) {
            settings.put("olr.model.classes", String.join(",", classes));
        }
        settings.put("olr.model.allow-new-classes", String.valueOf(!fixedClasses));
        if (interactions != null) {
            settings.put("olr.model.interactions", interactions);
        }
        return OlrConfig.defaults(settings).modelSettings();
    }

    /** The options' defaults: those of the settings they stand for. */
    public static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(final ArgSpec argSpec) {
            if (argSpec instanceof OptionSpec option && SETTINGS.containsKey(option.longestName())) {
                return OlrConfig.defaultSetting(SETTINGS.get(option.longestName())).toLowerCase(Locale.ROOT);
            }
            return null;
        }
    }
}
