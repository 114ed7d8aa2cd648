package io.kafkaolr.cli;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.Cluster;
import io.kafkaolr.kafka.KafkaUnavailableException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the processor's Kafka is: options shared by the commands that talk to a cluster. Only
 * {@code olr run} starts a broker when none is given ({@link RunBrokerOptions}); the other commands
 * need one ({@link ClusterOptions}).
 */
public abstract class BrokerOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "a properties file: Kafka's settings (bootstrap.servers, ...) and kafka-olr's (olr.*); "
                    + "environment variables OLR_<NAME> override it (see README)")
    Path configFile;

    @Option(names = "--format", paramLabel = "avro|json", description = "the format records are written in (olr.format); records are read in either")
    String format;

    @Option(names = "--set", paramLabel = "NAME=VALUE", mapFallbackValue = "",
            description = "any setting, after the file and the environment, e.g. --set olr.model.type=softmax")
    Map<String, String> settings = new LinkedHashMap<>();

    /**
     * The configuration, for a command that needs a running cluster (it starts no broker), once
     * the cluster has answered.
     *
     * @throws KafkaUnavailableException if no bootstrap servers are configured, or they do not
     *     answer within {@code olr.connect-timeout}
     */
    public OlrConfig loadWithCluster() throws java.io.IOException {
        final OlrConfig config = load();
        if (!config.hasBootstrapServers()) {
            throw new KafkaUnavailableException("no Kafka given: use --bootstrap-servers HOST:PORT (olr run prints "
                    + "the embedded broker's address)", null);
        }
        Cluster.requireReachable(config);
        return config;
    }

    /** The configuration: defaults, file, environment, then these options. */
    public OlrConfig load() throws java.io.IOException {
        final Map<String, String> overrides = new LinkedHashMap<>(settings);
        if (bootstrapServers() != null) {
            overrides.put("bootstrap.servers", bootstrapServers());
        }
        if (format != null) {
            overrides.put("olr.format", format);
        }
        overrides.putAll(moreSettings());
        return OlrConfig.load(configFile, System.getenv(), overrides);
    }

    /** The {@code --bootstrap-servers} given, or null. */
    abstract String bootstrapServers();

    /** Settings of options only some commands have. */
    Map<String, String> moreSettings() {
        return Map.of();
    }
}
