package io.kafkaolr.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this
 * JVM: Kafka's own server from Maven Central, not a mock. Used when no
 * {@code bootstrap.servers} is configured, and by the integration tests.
 *
 * <p>Its data directory is formatted on first use and kept: a second start on the same
 * directory finds the same cluster, topics and committed offsets (and so the same models).
 * It listens on loopback only; the bootstrap address is {@link #bootstrapServers()}.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedBroker(final KafkaRaftServer server, final String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts a broker on {@code dataDir} (created and formatted if new) and waits until it
     * answers.
     *
     * @param port the client port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedBroker start(final Path dataDir, final int port) throws IOException {
        return start(dataDir, port, Map.of());
    }

    /**
     * Starts a broker whose clients must authenticate: with {@code plainUsers} (user name to
     * password), its client port takes only SASL_PLAINTEXT with the PLAIN mechanism, as a
     * secured production cluster would, so that what clients send to authenticate is put to the
     * test. The broker's own traffic uses a second, internal listener on loopback.
     *
     * @param plainUsers empty: no authentication, as {@link #start(Path, int)}
     */
    public static EmbeddedBroker start(final Path dataDir, final int port, final Map<String, String> plainUsers)
            throws IOException {
        final Path logDir = dataDir.toAbsolutePath().resolve("kafka-logs");
        Files.createDirectories(logDir);
        final int clientPort = port == 0 ? freePort() : port;
        final int controllerPort = freePort();
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        final String internal;
        if (plainUsers.isEmpty()) {
            internal = "127.0.0.1:" + clientPort;
            props.put("listeners", "PLAINTEXT://" + internal + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + internal);
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            internal = "127.0.0.1:" + freePort();
            props.put("listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://" + internal
                    + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://" + internal);
            props.put("inter.broker.listener.name", "INTERNAL");
            props.put("listener.security.protocol.map",
                    "CLIENT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("sasl.enabled.mechanisms", "PLAIN");
            final StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            plainUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"")
                    .append(password).append('"'));
            props.put("listener.name.client.plain.sasl.jaas.config", jaas.append(';').toString());
        }
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // a crashed or frozen client's open transaction holds back what read_committed consumers see
        // until it is aborted: look for timed-out ones every second rather than every ten
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(16L << 20));
        final KafkaConfig config = KafkaConfig.fromProps(props, false);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            try {
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setNodeId(NODE_ID)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setControllerListenerName("CONTROLLER")
                        .setDirectories(List.of(logDir.toString()))
                        .setMetadataLogDirectory(logDir.toString())
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .run();
            } catch (final Exception e) {
                throw new IOException("could not format the broker's data directory " + logDir + ": " + e.getMessage(), e);
            }
        }
        final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (final RuntimeException e) {
            server.shutdown();
            throw new IOException("the embedded broker did not start on " + logDir
                    + " (is another olr process using this data directory?): " + e.getMessage(), e);
        }
        final EmbeddedBroker broker = new EmbeddedBroker(server, "127.0.0.1:" + clientPort);
        broker.awaitReady(internal);
        LOG.info("embedded Kafka broker ready at {} (data in {})", broker.bootstrapServers, logDir);
        return broker;
    }

    private void awaitReady(final String unauthenticatedAddress) throws IOException {
        final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, unauthenticatedAddress))) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (final Exception e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IOException("the embedded broker did not answer within " + READY_TIMEOUT, e);
                    }
                }
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    /** The address clients connect to, {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the broker and waits until it has stopped. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }
}
