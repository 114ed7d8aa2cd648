package io.kafkaolr.app;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelType;
import java.util.List;
import picocli.CommandLine.Option;

/** The model settings as command-line options, shared by the commands that create models. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "binary|softmax", defaultValue = "binary",
            converter = ModelTypeConverter.class,
            description = "binary logistic regression or softmax over many classes (default: ${DEFAULT-VALUE})")
    ModelType type;

    @Option(names = "--learning-rate", paramLabel = "ETA0", defaultValue = "0.1",
            description = "step size eta0 (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--schedule", paramLabel = "constant|invscaling", defaultValue = "invscaling",
            converter = ScheduleConverter.class,
            description = "constant: eta0; invscaling: eta0 / t^power_t (default: ${DEFAULT-VALUE})")
    LearningRateSchedule schedule;

    @Option(names = "--power-t", defaultValue = "0.5", description = "exponent of invscaling (default: ${DEFAULT-VALUE})")
    double powerT;

    @Option(names = "--l2", defaultValue = "0", description = "L2 penalty on the weights, not the bias (default: ${DEFAULT-VALUE})")
    double l2;

    @Option(names = "--hash-bits", defaultValue = "" + FeatureHasher.DEFAULT_BITS,
            description = "features are hashed onto 2^BITS dimensions (default: ${DEFAULT-VALUE})")
    int hashBits;

    @Option(names = "--classes", split = ",", paramLabel = "NEG,POS|C1,C2,...",
            description = "binary: the negative and positive label (default: 0,1); softmax: the classes known "
                    + "from the start (default: none, classes are added as they appear)")
    List<String> classes;

    @Option(names = "--fixed-classes", description = "softmax: refuse labels not given by --classes "
            + "(UNKNOWN_LABEL) instead of adding them")
    boolean fixedClasses;

    /** The settings these options describe. */
    public ModelSettings settings() {
        final List<String> initial = classes != null ? classes
                : type == ModelType.BINARY ? List.of("0", "1") : List.of();
        return new ModelSettings(type, hashBits, learningRate, schedule, powerT, l2, initial,
                type == ModelType.SOFTMAX && !fixedClasses);
    }

    /** Reads {@code binary} or {@code softmax}, any case. */
    static final class ModelTypeConverter implements picocli.CommandLine.ITypeConverter<ModelType> {
        @Override
        public ModelType convert(final String value) {
            return ModelType.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** Reads {@code constant} or {@code invscaling}, any case. */
    static final class ScheduleConverter implements picocli.CommandLine.ITypeConverter<LearningRateSchedule> {
        @Override
        public LearningRateSchedule convert(final String value) {
            return LearningRateSchedule.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }
}
