package io.kafkaolr.cli;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.Cluster;
import io.kafkaolr.kafka.KafkaUnavailableException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the processor's Kafka is: options shared by the commands that talk to a cluster. */
public final class BrokerOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "a properties file: Kafka's settings (bootstrap.servers, ...) and kafka-olr's (olr.*); "
                    + "environment variables OLR_<NAME> override it (see README)")
    Path configFile;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT,...",
            description = "the Kafka cluster; without it (and without bootstrap.servers in the configuration) an "
                    + "embedded single-node broker is started")
    String bootstrapServers;

    @Option(names = "--format", paramLabel = "avro|json", description = "the format records are written in (olr.format); records are read in either")
    String format;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the embedded broker's and the state stores' directory (olr.data-dir, default olr-data)")
    Path dataDir;

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
        if (bootstrapServers != null) {
            overrides.put("bootstrap.servers", bootstrapServers);
        }
        if (format != null) {
            overrides.put("olr.format", format);
        }
        if (dataDir != null) {
            overrides.put("olr.data-dir", dataDir.toString());
        }
        return OlrConfig.load(configFile, System.getenv(), overrides);
    }
}
