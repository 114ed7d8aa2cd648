package io.kafkaolr.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.serde.RecordFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OlrConfigTest {
    @TempDir
    Path dir;

    @Test
    void exactlyOnceV2IsTheDefaultGuarantee() {
        final Properties kafka = OlrConfig.defaults(Map.of()).kafkaProperties();
        assertEquals("exactly_once_v2", kafka.getProperty("processing.guarantee"));
        assertEquals("kafka-olr", kafka.getProperty("application.id"));
        assertFalse(kafka.stringPropertyNames().stream().anyMatch(n -> n.startsWith("olr.")),
                "kafka-olr's own settings are not passed to Kafka");
    }

    @Test
    void fileThenEnvironmentThenOverridesEachWin() throws Exception {
        final Path file = dir.resolve("olr.properties");
        Files.writeString(file, """
                bootstrap.servers=file:9092
                olr.model.type=softmax
                olr.model.learning-rate=0.5
                olr.format=json
                num.stream.threads=2
                """);
        final OlrConfig config = OlrConfig.load(file,
                Map.of("OLR_BOOTSTRAP_SERVERS", "env:9092", "OLR_OLR_MODEL_LEARNING___RATE", "0.25", "PATH", "/bin"),
                Map.of("olr.model.schedule", "constant"));
        assertEquals("env:9092", config.kafkaProperties().getProperty("bootstrap.servers"));
        assertEquals("2", config.kafkaProperties().getProperty("num.stream.threads"));
        final ModelSettings settings = config.modelSettings();
        assertEquals(ModelType.SOFTMAX, settings.type());
        assertEquals(0.25, settings.learningRate());
        assertEquals(LearningRateSchedule.CONSTANT, settings.schedule());
        assertTrue(settings.allowNewClasses());
        assertEquals(RecordFormat.JSON, config.topologyConfig().format());
        assertTrue(config.hasBootstrapServers());
    }

    @Test
    void theCommandsClientsGetTheClustersAddressAndSecurityButNotTheProcessorsSettings() {
        final Map<String, Object> connection = OlrConfig.defaults(Map.of(
                "bootstrap.servers", "k1:9093,k2:9093", "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "jaas", "ssl.truststore.location", "/etc/trust.jks", "client.dns.lookup",
                "use_all_dns_ips", "num.stream.threads", "4", "application.id", "app", "olr.format", "json"))
                .connection();
        assertEquals(Map.of("bootstrap.servers", "k1:9093,k2:9093", "security.protocol", "SASL_SSL", "sasl.mechanism",
                "SCRAM-SHA-512", "sasl.jaas.config", "jaas", "ssl.truststore.location", "/etc/trust.jks",
                "client.dns.lookup", "use_all_dns_ips"), connection);
    }

    @Test
    void environmentNamesFollowTheKafkaImageConvention() {
        assertEquals("bootstrap.servers", OlrConfig.propertyName("OLR_BOOTSTRAP_SERVERS"));
        assertEquals("olr.topic.dead-letters", OlrConfig.propertyName("OLR_OLR_TOPIC_DEAD___LETTERS"));
        assertEquals("some_name.x", OlrConfig.propertyName("OLR_SOME__NAME_X"));
    }

    @Test
    void typosAndBadValuesAreRefusedWithTheirName() {
        final IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> OlrConfig.defaults(Map.of("olr.model.learning_rate", "0.1")));
        assertTrue(typo.getMessage().contains("olr.model.learning_rate"));
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> OlrConfig.defaults(Map.of("olr.max-features", "many")));
        assertTrue(bad.getMessage().contains("olr.max-features"));
        assertThrows(IllegalArgumentException.class, () -> OlrConfig.defaults(Map.of("olr.format", "xml")));
    }

    @Test
    void aMisspeltSettingIsRefusedWithTheNearestValidName() {
        for (final String[] typo : new String[][] {
                {"bootstrap.server", "bootstrap.servers"},
                {"procesing.guarantee", "processing.guarantee"},
                {"producer.lingr.ms", "producer.linger.ms"},
                {"main.consumer.max.poll.record", "main.consumer.max.poll.records"},
                {"topic.cleanup.polcy", "topic.cleanup.policy"},
                {"olr.model.typ", "olr.model.type"},
                {"olr.connect.timeout", "olr.connect-timeout"}}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OlrConfig.defaults(Map.of(typo[0], "1")), typo[0]);
            assertTrue(e.getMessage().startsWith("unknown setting '" + typo[0] + "'; did you mean '" + typo[1] + "'?"),
                    e.getMessage());
        }
        // nothing near enough: no guess, still refused
        final IllegalArgumentException far = assertThrows(IllegalArgumentException.class,
                () -> OlrConfig.defaults(Map.of("schema.registry.url", "http://r")));
        assertTrue(far.getMessage().startsWith("unknown setting 'schema.registry.url' It is neither"), far.getMessage());
    }

    @Test
    void everySettingKafkaStreamsAndItsClientsDefineIsTakenAlsoUnderTheirPrefixes() {
        final Map<String, String> valid = new java.util.HashMap<>(Map.of(
                "bootstrap.servers", "localhost:9092", "processing.guarantee", "exactly_once_v2",
                "producer.linger.ms", "5", "main.consumer.max.poll.records", "100",
                "restore.consumer.fetch.max.bytes", "1000000", "admin.retries", "3",
                "topic.cleanup.policy", "compact", "sasl.mechanism", "PLAIN", "ssl.truststore.location", "/x",
                "config.providers", "file"));
        valid.putAll(Map.of("config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider", "max.block.ms", "100",
                "auto.offset.reset", "earliest", "metrics.context.team", "ml", "olr.connect-timeout", "PT2S"));
        final OlrConfig config = OlrConfig.defaults(valid);
        assertEquals(java.time.Duration.ofSeconds(2), config.durationValue("olr.connect-timeout"));
        assertEquals(java.time.Duration.ofSeconds(10),
                OlrConfig.defaults(Map.of()).durationValue("olr.connect-timeout"));
        assertThrows(IllegalArgumentException.class, () -> OlrConfig.defaults(Map.of("olr.connect-timeout", "0")));
    }

    @Test
    void theDefaultLearnerIsTheNormalisedAdaptiveGradientOnStandardisedFeatures() {
        final ModelSettings s = OlrConfig.defaults(Map.of()).modelSettings();
        assertEquals(io.kafkaolr.core.Optimizer.NAG, s.optimizer());
        assertEquals(5.0, s.learningRate());
        assertEquals(1.0, s.ftrlBeta(), "the beta that damps each coordinate's first steps");
        assertEquals(io.kafkaolr.core.Normalization.STANDARDIZE, s.normalization());
        // the other optimizers stay selectable, each with its own default rate
        final ModelSettings ftrl = OlrConfig.defaults(Map.of("olr.model.optimizer", "ftrl")).modelSettings();
        assertEquals(io.kafkaolr.core.Optimizer.FTRL, ftrl.optimizer());
        assertEquals(0.5, ftrl.learningRate());
        assertThrows(IllegalArgumentException.class, () -> OlrConfig.defaults(
                Map.of("olr.model.batch-size", "4")).modelSettings(), "nag takes no mini-batches");
    }

    @Test
    void interactionsAreNoneByDefaultAndParsedFromTheConfiguration() {
        assertTrue(OlrConfig.defaults(Map.of()).modelSettings().interactions().isEmpty());
        final ModelSettings s = OlrConfig.defaults(Map.of("olr.model.interactions", "user:ad, user:user"))
                .modelSettings();
        assertEquals("user:ad,user:user", s.interactions().spec());
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> OlrConfig.defaults(Map.of("olr.model.interactions", "user:ad,ad:user")).modelSettings());
        assertTrue(bad.getMessage().startsWith("olr.model.interactions: "), bad.getMessage());
    }

    @Test
    void binaryClassesComeFromTheConfiguration() {
        final ModelSettings s = OlrConfig.defaults(Map.of("olr.model.classes", "ham, spam")).modelSettings();
        assertEquals(List.of("ham", "spam"), s.initialClasses());
        assertFalse(s.allowNewClasses());
        assertFalse(OlrConfig.defaults(Map.of()).hasBootstrapServers());
    }

    @Test
    void aScoringRoleReadsTheNamedTrainingApplicationsModelTopic() {
        final var t = OlrConfig.defaults(Map.of("application.id", "olr-scorer", "olr.role", "scoring",
                "olr.models-from", "olr-trainer")).topologyConfig();
        assertEquals(io.kafkaolr.topology.TopologyConfig.Role.SCORING, t.role());
        assertEquals("olr-trainer-model-weights-changelog", t.modelTopic());
        assertEquals(io.kafkaolr.topology.TopologyConfig.Role.ALL, OlrConfig.defaults(Map.of()).topologyConfig().role());
        assertEquals(io.kafkaolr.topology.TopologyConfig.Role.TRAINING,
                OlrConfig.defaults(Map.of("olr.role", "training")).topologyConfig().role());
        assertThrows(IllegalArgumentException.class, () -> OlrConfig.defaults(Map.of("olr.role", "scoring")));
    }

    @Test
    void theShutdownTimeoutIsInMillisecondsOrIso8601AndPositive() {
        assertEquals(java.time.Duration.ofSeconds(30), OlrConfig.defaults(Map.of()).durationValue("olr.shutdown.timeout"));
        assertEquals(java.time.Duration.ofMillis(1500),
                OlrConfig.defaults(Map.of("olr.shutdown.timeout", "1500")).durationValue("olr.shutdown.timeout"));
        assertEquals(java.time.Duration.ofSeconds(5),
                OlrConfig.defaults(Map.of("olr.shutdown.timeout", "PT5S")).durationValue("olr.shutdown.timeout"));
        for (final String bad : List.of("0", "-PT1S", "soon", "")) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OlrConfig.defaults(Map.of("olr.shutdown.timeout", bad)), bad);
            assertTrue(e.getMessage().contains("olr.shutdown.timeout"), e.getMessage());
        }
    }

    @Test
    void feedbackIsOffByDefaultAndItsWindowDefaultLabelAndTopicAreRead() {
        final io.kafkaolr.topology.TopologyConfig.Feedback off = OlrConfig.defaults(Map.of()).topologyConfig().feedback();
        assertFalse(off.enabled());
        assertEquals("olr-outcomes", off.outcomesTopic());
        assertEquals(java.time.Duration.ofMinutes(30), off.window());
        assertFalse(off.labelsExpired());
        final io.kafkaolr.topology.TopologyConfig.Feedback on = OlrConfig.defaults(Map.of(
                "olr.feedback.enabled", "true", "olr.feedback.window", "P2D", "olr.feedback.default-label", "0",
                "olr.topic.outcomes", "clicks")).topologyConfig().feedback();
        assertTrue(on.enabled());
        assertEquals(java.time.Duration.ofDays(2), on.window());
        assertEquals("0", on.defaultLabel());
        assertEquals("clicks", on.outcomesTopic());
        for (final Map<String, String> bad : List.of(Map.of("olr.feedback.window", "0"),
                Map.of("olr.feedback.enabled", "yes"), Map.of("olr.feedback.windw", "PT1M"))) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OlrConfig.defaults(bad), bad.toString());
            assertTrue(e.getMessage().contains("olr.feedback."), e.getMessage());
        }
    }
}
