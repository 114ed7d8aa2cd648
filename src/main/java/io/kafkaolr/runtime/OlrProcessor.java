package io.kafkaolr.runtime;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.Topics;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.ops.FeedbackStats;
import io.kafkaolr.ops.OpsServer;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running processor: Kafka Streams with the kafka-olr topology. Bad records never reach
 * this level (they become dead letters); an exception that does is a bug or a broken
 * cluster, so the client shuts down and the process exits non-zero for its supervisor to see.
 */
public final class OlrProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OlrProcessor.class);

    private final KafkaStreams streams;
    private final OpsServer http;
    private final Duration shutdownTimeout;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean failed;

    private OlrProcessor(final KafkaStreams streams, final OpsServer http, final Duration shutdownTimeout) {
        this.streams = streams;
        this.http = http;
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Starts the processor against {@code bootstrapServers}; the examples topic must exist (its
     * partition count is read, so that misrouted examples are refused).
     */
    public static OlrProcessor start(final OlrConfig config, final String bootstrapServers) {
        final Properties props = config.kafkaProperties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        final Map<String, Object> connection = config.with(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers)).connection();
        final TopologyConfig topology = config.topologyConfig()
                .withExamplesPartitions(Topics.partitions(connection, config.topologyConfig().examplesTopic()));
        final OpsServer http = bindHttp(config);
        if (http != null) {
            // where other instances forward queries for the models this one holds
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, http.applicationServer());
        }
        final ModelDirectory directory = new ModelDirectory();
        final FeedbackStats feedback = topology.feedback().enabled() && topology.role().scores()
                ? new FeedbackStats(topology.modelDefaults().type() == ModelType.BINARY
                        ? topology.modelDefaults().initialClasses().get(1) : null)
                : null;
        final KafkaStreams streams = new KafkaStreams(feedback == null ? OlrTopology.build(topology, directory)
                : OlrTopology.build(topology, directory, feedback), props);
        if (http != null && feedback != null) {
            http.feedbackStats(feedback);
        }
        final OlrProcessor processor = new OlrProcessor(streams, http, config.durationValue("olr.shutdown.timeout"));
        if (http != null) {
            http.start(streams, directory, topology, connection);
        }
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the processor down", e);
            processor.failed = true;
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("processor state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                processor.stopped.countDown();
            }
        });
        streams.start();
        return processor;
    }

    private static OpsServer bindHttp(final OlrConfig config) {
        final int port = config.intValue("olr.http.port");
        if (port < 0) {
            return null;
        }
        final String host = config.get("olr.http.host");
        try {
            return OpsServer.bind(host, port, config.get("olr.http.advertised-host"),
                    config.get("olr.http.admin-token"), config.intValue("olr.http.max-request-bytes"),
                    config.intValue("olr.http.max-concurrent-exports"));
        } catch (final IOException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " (olr.http.host, olr.http.port): "
                    + e.getMessage(), e);
        }
    }

    /** The HTTP endpoint's address, where {@code olr.http.port} is set (0: any free port). */
    public Optional<URI> httpUri() {
        return Optional.ofNullable(http).map(OpsServer::uri);
    }

    /** The Kafka Streams client (metrics, interactive queries). */
    public KafkaStreams streams() {
        return streams;
    }

    /** Waits until the processor is RUNNING; false on timeout or if it stopped. */
    public boolean awaitRunning(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
                return false;
            }
            stopped.await(50, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /** Blocks until the processor stops by itself (failure) or is closed. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Whether a stream thread failed. */
    public boolean failed() {
        return failed;
    }

    /** How long {@link #close} may take: {@code olr.shutdown.timeout}. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Stops cleanly and leaves the consumer group, so that other instances take over at once,
     * within {@code olr.shutdown.timeout}: exports being written are stopped, not waited for;
     * Kafka Streams gets what is left of the timeout; the HTTP endpoint answers (503 while
     * stopping) until Kafka Streams is closed, then closes without waiting for any answer.
     */
    @Override
    public void close() {
        final long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        if (http != null) {
            http.stopExports();
        }
        try {
            streams.close(CloseOptions.timeout(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        } finally {
            if (http != null) {
                http.close();
            }
            stopped.countDown();
        }
    }
}
