package io.kafkaolr.kafka;

import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.config.OlrConfig;
import java.io.IOException;
import java.io.PrintWriter;

/** The Kafka cluster a command talks to: the configured one, or an embedded broker started for it. */
public final class Cluster implements AutoCloseable {
    private final String bootstrapServers;
    private final EmbeddedBroker embedded;

    private Cluster(final String bootstrapServers, final EmbeddedBroker embedded) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
    }

    /** Connects to the configured cluster, or starts the embedded broker and says where it is on {@code out}. */
    public static Cluster connect(final OlrConfig config, final PrintWriter out) throws IOException {
        if (config.hasBootstrapServers()) {
            return new Cluster(config.get("bootstrap.servers"), null);
        }
        final EmbeddedBroker broker = EmbeddedBroker.start(config.dataDir().resolve("broker"),
                config.intValue("olr.broker.port"));
        out.println("embedded Kafka broker: bootstrap.servers=" + broker.bootstrapServers()
                + "  (data in " + config.dataDir().toAbsolutePath().resolve("broker") + ")");
        out.flush();
        return new Cluster(broker.bootstrapServers(), broker);
    }

    /** The bootstrap servers of the cluster. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
