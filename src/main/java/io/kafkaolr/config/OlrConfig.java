package io.kafkaolr.config;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Normalization;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The processor's configuration: Kafka's own property names ({@code bootstrap.servers},
 * {@code processing.guarantee}, {@code num.stream.threads}, ... passed to Kafka Streams as
 * they are) plus kafka-olr's, all under {@code olr.}. Layered, last wins: built-in defaults,
 * an optional properties file, environment variables, explicit overrides (command-line
 * options).
 *
 * <p>Environment variables follow the apache/kafka image's convention with the prefix
 * {@code OLR_}: strip the prefix, lower-case, {@code _} becomes {@code .}, {@code __}
 * becomes {@code _} and {@code ___} becomes {@code -}. So {@code OLR_BOOTSTRAP_SERVERS}
 * sets {@code bootstrap.servers} and {@code OLR_OLR_MODEL_LEARNING___RATE} sets
 * {@code olr.model.learning-rate}.
 */
public final class OlrConfig {
    /** The prefix of environment variables that set properties. */
    public static final String ENV_PREFIX = "OLR_";

    /**
     * The exports the HTTP endpoint writes at once on one instance, unless
     * {@code olr.http.max-concurrent-exports} says otherwise.
     */
    public static final int DEFAULT_MAX_CONCURRENT_EXPORTS = 2;

    private static final Map<String, String> OLR_DEFAULTS = new TreeMap<>(Map.ofEntries(
            Map.entry("olr.format", "avro"),
            Map.entry("olr.topic.examples", "olr-examples"),
            Map.entry("olr.topic.events", "olr-events"),
            Map.entry("olr.topic.predictions", "olr-predictions"),
            Map.entry("olr.topic.dead-letters", "olr-dead-letters"),
            Map.entry("olr.topic.metrics", "olr-metrics"),
            Map.entry("olr.topic.outcomes", "olr-outcomes"),
            Map.entry("olr.feedback.enabled", "false"),
            Map.entry("olr.feedback.window", "1800000"),
            Map.entry("olr.feedback.default-label", ""),
            Map.entry("olr.metrics.interval.ms", "10000"),
            Map.entry("olr.metrics.auc-window", "1000"),
            Map.entry("olr.topic.partitions", "3"),
            Map.entry("olr.topic.replication-factor", "1"),
            Map.entry("olr.model.type", "binary"),
            Map.entry("olr.model.optimizer", "nag"),
            Map.entry("olr.model.learning-rate", ""),
            Map.entry("olr.model.schedule", "invscaling"),
            Map.entry("olr.model.power-t", "0.5"),
            Map.entry("olr.model.l1", "0"),
            Map.entry("olr.model.l2", ""),
            Map.entry("olr.model.ftrl-beta", "1"),
            Map.entry("olr.model.normalize", "standardize"),
            Map.entry("olr.model.batch-size", "1"),
            Map.entry("olr.model.label-clip", String.valueOf(ModelSettings.DEFAULT_LABEL_CLIP)),
            Map.entry("olr.model.max-dimension", String.valueOf(ModelSettings.DEFAULT_MAX_DIMENSION)),
            Map.entry("olr.model.hash-bits", String.valueOf(FeatureHasher.DEFAULT_BITS)),
            Map.entry("olr.model.classes", ""),
            Map.entry("olr.model.allow-new-classes", "true"),
            Map.entry("olr.model.interactions", ""),
            Map.entry("olr.max-features", String.valueOf(Limits.DEFAULT.features())),
            Map.entry("olr.max-record-bytes", String.valueOf(Limits.DEFAULT.recordBytes())),
            Map.entry("olr.limits.id-bytes", String.valueOf(Limits.DEFAULT.idBytes())),
            Map.entry("olr.limits.record-headers-bytes", String.valueOf(Limits.DEFAULT.recordHeadersBytes())),
            Map.entry("olr.limits.label-bytes", String.valueOf(Limits.DEFAULT.labelBytes())),
            Map.entry("olr.limits.classes", String.valueOf(Limits.DEFAULT.classes())),
            Map.entry("olr.limits.feature-name-bytes", String.valueOf(Limits.DEFAULT.featureNameBytes())),
            Map.entry("olr.limits.names-per-row", String.valueOf(Limits.DEFAULT.namesPerRow())),
            Map.entry("olr.limits.rows-per-model", String.valueOf(Limits.DEFAULT.rowsPerModel())),
            Map.entry("olr.limits.models-per-task", String.valueOf(Limits.DEFAULT.modelsPerTask())),
            Map.entry("olr.limits.model-header-bytes", String.valueOf(Limits.DEFAULT.modelHeaderBytes())),
            Map.entry("olr.limits.import-bytes", String.valueOf(Limits.DEFAULT.importBytes())),
            Map.entry("olr.dead-letters.max-original-bytes", String.valueOf(Limits.DEFAULT.deadLetterOriginalBytes())),
            Map.entry("olr.require-model-id-key", "true"),
            Map.entry("olr.role", "all"),
            Map.entry("olr.models-from", ""),
            Map.entry("olr.store.weights", "memory"),
            Map.entry("olr.store.weights.cache", "false"),
            Map.entry("olr.model.feature-names", "true"),
            Map.entry("olr.store.models", "memory"),
            Map.entry("olr.data-dir", "olr-data"),
            Map.entry("olr.broker.port", "0"),
            Map.entry("olr.http.port", "-1"),
            Map.entry("olr.http.host", "127.0.0.1"),
            Map.entry("olr.http.advertised-host", ""),
            Map.entry("olr.http.admin-token", ""),
            Map.entry("olr.http.max-request-bytes", String.valueOf(64 << 20)),
            Map.entry("olr.http.max-concurrent-exports", String.valueOf(DEFAULT_MAX_CONCURRENT_EXPORTS)),
            Map.entry("olr.shutdown.timeout", "30000"),
            Map.entry("olr.connect-timeout", "10000")));

    /** The learning rate of each optimizer when {@code olr.model.learning-rate} is not set (EVALUATION.md). */
    public static final Map<Optimizer, Double> DEFAULT_LEARNING_RATES = Map.of(
            Optimizer.SGD, 0.1, Optimizer.ASGD, 0.1, Optimizer.ADAGRAD, 0.5, Optimizer.FTRL, 0.5,
            Optimizer.NAG, 5.0, Optimizer.RLS, 1.0); // recursive least squares has no step size: 1.0 is stored, never used

    private final Map<String, String> values;

    private OlrConfig(final Map<String, String> values) {
        this.values = values;
        validate();
    }

    /**
     * The configuration from defaults, {@code file} (may be null), {@code env} and
     * {@code overrides}, in that order.
     */
    public static OlrConfig load(final Path file, final Map<String, String> env, final Map<String, String> overrides)
            throws IOException {
        final Map<String, String> values = new TreeMap<>(OLR_DEFAULTS);
        values.put(StreamsConfig.APPLICATION_ID_CONFIG, "kafka-olr");
        values.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // each commit writes every row changed since the last one: a second instead of Kafka's 100 ms
        // writes a third fewer model-topic records per example when features recur, for scoring up to
        // a second behind (BENCHMARKS.md, docs/DESIGN.md)
        values.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        // the global store's updater never throws on data (tombstones and unknown keys are handled)
        values.put("processing.exception.handler.global.enabled", "true");
        if (file != null) {
            final Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(reader);
            }
            props.stringPropertyNames().forEach(name -> values.put(name, props.getProperty(name).trim()));
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                values.put(propertyName(name), value);
            }
        });
        values.putAll(overrides);
        return new OlrConfig(values);
    }

    /** The built-in default of a kafka-olr setting, such as {@code olr.model.learning-rate}. */
    public static String defaultSetting(final String name) {
        final String value = OLR_DEFAULTS.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no setting " + name);
        }
        return value;
    }

    /** The defaults alone (tests, and {@code demo}). */
    public static OlrConfig defaults(final Map<String, String> overrides) {
        try {
            return load(null, Map.of(), overrides);
        } catch (final IOException e) {
            throw new IllegalStateException("no file was read", e);
        }
    }

    /** {@code OLR_OLR_MODEL_LEARNING___RATE} to {@code olr.model.learning-rate}. */
    static String propertyName(final String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
                .replace("___", "\u0001").replace("__", "\u0002").replace('_', '.')
                .replace('\u0001', '-').replace('\u0002', '_');
    }

    private void validate() {
        for (final String name : values.keySet()) {
            if (name.startsWith("olr.") && !OLR_DEFAULTS.containsKey(name)) {
                final String nearest = KafkaSettingNames.nearest(name, OLR_DEFAULTS.keySet());
                throw new IllegalArgumentException("unknown setting '" + name + "'"
                        + (nearest != null ? "; did you mean '" + nearest + "'?" : "")
                        + " kafka-olr's settings are " + OLR_DEFAULTS.keySet());
            }
            if (!name.startsWith("olr.") && !KafkaSettingNames.isKnown(name)) {
                final String nearest = KafkaSettingNames.nearest(name, KafkaSettingNames.plainNames());
                throw new IllegalArgumentException("unknown setting '" + name + "'"
                        + (nearest != null ? "; did you mean '" + nearest + "'?" : "")
                        + " It is neither kafka-olr's (olr.*) nor one that Kafka Streams, the producer, the consumer "
                        + "or the admin client defines (also under Kafka Streams' prefixes producer., consumer., "
                        + "main.consumer., restore.consumer., global.consumer., admin. and topic.)");
            }
        }
        topologyConfig(); // parses and checks every olr.* value
        durationValue("olr.shutdown.timeout");
        durationValue("olr.connect-timeout");
    }

    /** A copy with some settings replaced. */
    public OlrConfig with(final Map<String, String> overrides) {
        final Map<String, String> copy = new TreeMap<>(values);
        copy.putAll(overrides);
        return new OlrConfig(copy);
    }

    /** A value, or null. */
    public String get(final String name) {
        return values.get(name);
    }

    /** Whether {@code bootstrap.servers} is set; when not, the processor starts an embedded broker. */
    public boolean hasBootstrapServers() {
        final String servers = values.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        return servers != null && !servers.isBlank();
    }

    /** Where the embedded broker and, unless {@code state.dir} is set, the state stores keep their data. */
    public Path dataDir() {
        return Path.of(values.get("olr.data-dir"));
    }

    /**
     * What any client needs to reach the cluster: {@code bootstrap.servers},
     * {@code client.dns.lookup}, and every {@code security.*}, {@code sasl.*} and {@code ssl.*}
     * setting. The commands' producers, consumers and admin clients are made with these, so
     * that they reach a secured cluster as the processor does.
     */
    public Map<String, Object> connection() {
        final Map<String, Object> connection = new HashMap<>();
        values.forEach((name, value) -> {
            if (name.equals("bootstrap.servers") || name.equals("client.dns.lookup") || name.startsWith("security.")
                    || name.startsWith("sasl.") || name.startsWith("ssl.")) {
                connection.put(name, value);
            }
        });
        return connection;
    }

    /**
     * The properties for Kafka Streams and Kafka clients: everything not under {@code olr.};
     * {@code state.dir} defaults to {@code <olr.data-dir>/streams}, so models survive restarts.
     */
    public Properties kafkaProperties() {
        final Properties props = new Properties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, dataDir().resolve("streams").toAbsolutePath().toString());
        values.forEach((name, value) -> {
            if (!name.startsWith("olr.")) {
                props.put(name, value);
            }
        });
        return props;
    }

    /** The model settings new models get. */
    public ModelSettings modelSettings() {
        final ModelType type = enumValue("olr.model.type", ModelType.class);
        final String classText = values.get("olr.model.classes").trim();
        final List<String> classes = classText.isEmpty()
                ? (type == ModelType.BINARY ? List.of("0", "1") : List.of())
                : Arrays.stream(classText.split(",")).map(String::trim).toList();
        final Optimizer optimizer = enumValue("olr.model.optimizer", Optimizer.class);
        final double learningRate = values.get("olr.model.learning-rate").isBlank()
                ? DEFAULT_LEARNING_RATES.get(optimizer) : doubleValue("olr.model.learning-rate");
        // recursive least squares needs a ridge; the gradient methods default to none
        final double l2 = values.get("olr.model.l2").isBlank()
                ? (optimizer == Optimizer.RLS ? 1.0 : 0.0) : doubleValue("olr.model.l2");
        return new ModelSettings(type, intValue("olr.model.hash-bits"), optimizer, learningRate,
                enumValue("olr.model.schedule", LearningRateSchedule.class), doubleValue("olr.model.power-t"),
                doubleValue("olr.model.l1"), l2, doubleValue("olr.model.ftrl-beta"),
                enumValue("olr.model.normalize", Normalization.class), intValue("olr.model.batch-size"),
                doubleValue("olr.model.label-clip"), intValue("olr.model.max-dimension"), classes,
                type == ModelType.SOFTMAX && booleanValue("olr.model.allow-new-classes"),
                interactions());
    }

    /** The topology's configuration. */
    public TopologyConfig topologyConfig() {
        final String applicationId = values.get(StreamsConfig.APPLICATION_ID_CONFIG);
        final TopologyConfig.Role role = enumValue("olr.role", TopologyConfig.Role.class);
        final String modelsFrom = values.get("olr.models-from").isBlank() ? applicationId
                : values.get("olr.models-from").trim();
        if (!role.trains() && modelsFrom.equals(applicationId)) {
            throw new IllegalArgumentException("olr.role=scoring needs olr.models-from: the application.id of the "
                    + "training application (a scoring instance needs its own application.id)");
        }
        return TopologyConfig.builder(applicationId, enumValue("olr.format", RecordFormat.class), modelSettings())
                .role(role)
                .modelsFrom(modelsFrom)
                .examplesTopic(values.get("olr.topic.examples"))
                .eventsTopic(values.get("olr.topic.events"))
                .predictionsTopic(values.get("olr.topic.predictions"))
                .deadLettersTopic(values.get("olr.topic.dead-letters"))
                .limits(limits())
                .requireModelIdKey(Boolean.parseBoolean(values.get("olr.require-model-id-key").trim()))
                .weightsStore(enumValue("olr.store.weights", TopologyConfig.StoreKind.class))
                .modelStore(enumValue("olr.store.models", TopologyConfig.StoreKind.class))
                .weightsCache(Boolean.parseBoolean(values.get("olr.store.weights.cache").trim()))
                .featureNames(booleanValue("olr.model.feature-names"))
                .metrics(new TopologyConfig.MetricsOutput(values.get("olr.topic.metrics"),
                        java.time.Duration.ofMillis(Long.parseLong(values.get("olr.metrics.interval.ms").trim())),
                        intValue("olr.metrics.auc-window")))
                .feedback(new TopologyConfig.Feedback(booleanValue("olr.feedback.enabled"),
                        values.get("olr.topic.outcomes").trim(), durationValue("olr.feedback.window"),
                        values.get("olr.feedback.default-label").trim()))
                .build();
    }

    /** The limits on growth ({@code olr.max-features}, {@code olr.max-record-bytes}, {@code olr.limits.*}). */
    public Limits limits() {
        return new Limits(intValue("olr.max-record-bytes"), intValue("olr.max-features"),
                intValue("olr.limits.id-bytes"), intValue("olr.limits.record-headers-bytes"),
                intValue("olr.limits.label-bytes"), intValue("olr.limits.classes"),
                intValue("olr.limits.feature-name-bytes"), intValue("olr.limits.names-per-row"),
                intValue("olr.limits.rows-per-model"), intValue("olr.limits.models-per-task"),
                intValue("olr.limits.model-header-bytes"), longValue("olr.limits.import-bytes"),
                intValue("olr.dead-letters.max-original-bytes"));
    }

    private long longValue(final String name) {
        try {
            return Long.parseLong(values.get(name).trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + values.get(name) + "'", e);
        }
    }

    /** {@code olr.model.interactions}: the feature crosses, such as {@code user:ad,user:user}. */
    private Interactions interactions() {
        try {
            return Interactions.parse(values.get("olr.model.interactions"));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("olr.model.interactions: " + e.getMessage(), e);
        }
    }

    /** A setting naming a constant of {@code type}, in any case: {@code olr.role=scoring}. */
    private <E extends Enum<E>> E enumValue(final String name, final Class<E> type) {
        final String text = values.get(name).trim();
        for (final E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(name + " must be one of " + Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ", got '" + text + "'");
    }

    /** An integer setting. */
    public int intValue(final String name) {
        try {
            return Integer.parseInt(values.get(name).trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + values.get(name) + "'", e);
        }
    }

    /**
     * A positive duration setting: milliseconds ({@code 30000}), as {@code olr.metrics.interval.ms}
     * is given, or ISO-8601 ({@code PT30S}).
     */
    public java.time.Duration durationValue(final String name) {
        final String text = values.get(name).trim();
        final java.time.Duration duration;
        try {
            duration = text.matches("\\d+") ? java.time.Duration.ofMillis(Long.parseLong(text))
                    : java.time.Duration.parse(text);
        } catch (final java.time.format.DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a duration in milliseconds (30000) or ISO-8601 (PT30S), "
                    + "got '" + values.get(name) + "'", e);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got '" + values.get(name) + "'");
        }
        return duration;
    }

    private boolean booleanValue(final String name) {
        final String text = values.get(name).trim().toLowerCase(Locale.ROOT);
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException(name + " must be true or false, got '" + values.get(name) + "'");
        }
        return text.equals("true");
    }

    private double doubleValue(final String name) {
        try {
            return Double.parseDouble(values.get(name).trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + values.get(name) + "'", e);
        }
    }

    /** Every setting, for logging. */
    public Map<String, String> asMap() {
        return new TreeMap<>(values);
    }
}
