package io.kafkaolr.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The cluster options of {@code olr run}, which starts an embedded broker when it is given none. */
public final class RunBrokerOptions extends BrokerOptions {
    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT,...",
            description = "the Kafka cluster; without it (and without bootstrap.servers in the configuration) an "
                    + "embedded single-node broker is started, and its address printed")
    String bootstrapServers;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the embedded broker's and the state stores' directory (olr.data-dir, default olr-data)")
    Path dataDir;

    @Override
    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    Map<String, String> moreSettings() {
        return dataDir == null ? Map.of() : Map.of("olr.data-dir", dataDir.toString());
    }
}
