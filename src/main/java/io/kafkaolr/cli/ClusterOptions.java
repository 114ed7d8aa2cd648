package io.kafkaolr.cli;

import picocli.CommandLine.Option;

/** The cluster options of a command that talks to a running cluster and starts no broker of its own. */
public final class ClusterOptions extends BrokerOptions {
    /** What the commands say, and do, when no cluster is given. */
    static final String NO_BROKER = "needed to read or write topics (or bootstrap.servers in the "
            + "configuration): this command starts no broker, and stops with exit code 3 without one (olr run prints "
            + "the address of the broker it embeds)";

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT,...",
            description = "the Kafka cluster; " + NO_BROKER)
    String bootstrapServers;

    @Override
    String bootstrapServers() {
        return bootstrapServers;
    }
}
