package io.kafkaolr.kafka;

import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.config.OlrConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;

/** The Kafka cluster a command talks to: the configured one, or an embedded broker started for it. */
public final class Cluster implements AutoCloseable {
    private final String bootstrapServers;
    private final EmbeddedBroker embedded;

    private Cluster(final String bootstrapServers, final EmbeddedBroker embedded) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
    }

    /**
     * Connects to the configured cluster, or starts the embedded broker and says where it is on {@code out}.
     *
     * @throws KafkaUnavailableException if the configured cluster does not answer within {@code olr.connect-timeout}
     */
    public static Cluster connect(final OlrConfig config, final PrintWriter out) throws IOException {
        if (config.hasBootstrapServers()) {
            requireReachable(config);
            return new Cluster(config.get("bootstrap.servers"), null);
        }
        final EmbeddedBroker broker = EmbeddedBroker.start(config.dataDir().resolve("broker"),
                config.intValue("olr.broker.port"));
        out.println("embedded Kafka broker: bootstrap.servers=" + broker.bootstrapServers()
                + "  (data in " + config.dataDir().toAbsolutePath().resolve("broker") + ")");
        out.flush();
        return new Cluster(broker.bootstrapServers(), broker);
    }

    /**
     * Asks the configured cluster for its brokers, and fails when it does not answer within
     * {@code olr.connect-timeout}: a command against an unreachable or misnamed broker says so
     * at once, instead of stalling for its clients' own timeouts (a producer's is a minute).
     *
     * @throws KafkaUnavailableException if the cluster is not reached in time, or its address does not resolve
     */
    public static void requireReachable(final OlrConfig config) {
        final Duration timeout = config.durationValue("olr.connect-timeout");
        final int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        final Map<String, Object> settings = new HashMap<>(config.connection());
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        final String where = "Kafka at " + config.get("bootstrap.servers");
        final Admin admin;
        try {
            admin = Admin.create(settings);
        } catch (final KafkaException e) {
            throw new KafkaUnavailableException(where + " cannot be used: " + rootMessage(e), e);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis)).nodes()
                    .get(millis, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException(where + " did not answer within " + timeout.toMillis()
                    + " ms (olr.connect-timeout): " + rootMessage(e), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while reaching " + where, e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private static String rootMessage(final Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
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
