package io.kafkaolr.cli;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.Cluster;
import io.kafkaolr.kafka.KafkaUnavailableException;
import io.kafkaolr.kafka.Topics;
import io.kafkaolr.runtime.OlrProcessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code olr run}: the processor, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the processor: learn from the examples topic, score the events topic.",
                "Without bootstrap servers, starts an embedded single-node Kafka broker and prints its address.",
                "Creates missing topics. Stops cleanly on SIGTERM / Ctrl-C, within olr.shutdown.timeout (30 s)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"143:stopped by SIGTERM (130: Ctrl-C) after a clean shutdown, as for any JVM",
                "1:the processor failed (see the log), or did not stop within olr.shutdown.timeout and was halted",
                "2:invalid options or configuration", "3:Kafka could not be reached or set up"})
public final class RunCommand implements Callable<Integer> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunCommand.class);
    /** The exit code of a process halted because its shutdown took longer than {@code olr.shutdown.timeout}. */
    static final int HALTED = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    RunBrokerOptions broker;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = {"serve the status page, /models, /metrics, /health and /ready on PORT (olr.http.port;"
                    + " 0: any free port; bound to olr.http.host, 127.0.0.1 by default)"})
    Integer httpPort;

    @Override
    public Integer call() throws Exception {
        final OlrConfig loaded = broker.load();
        final OlrConfig config = httpPort == null ? loaded : loaded.with(Map.of("olr.http.port", httpPort.toString()));
        final PrintWriter out = spec.commandLine().getOut();
        final Cluster cluster;
        try {
            cluster = Cluster.connect(config, out);
            try (Admin admin = Admin.create(config.with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers())).connection())) {
                final List<String> created = Topics.ensure(admin, config);
                if (!created.isEmpty()) {
                    out.println("created topics " + created);
                }
            }
        } catch (final TimeoutException e) {
            throw new KafkaUnavailableException("cannot set up Kafka: no answer from "
                    + (config.hasBootstrapServers() ? config.get("bootstrap.servers") : "the embedded broker")
                    + " within 30 s (is the address right? does the cluster require authentication: security.protocol, "
                    + "sasl.*, ssl.*?)", e);
        } catch (final IOException | ExecutionException e) {
            throw new KafkaUnavailableException("cannot set up Kafka: " + e.getMessage(), e);
        }
        final OlrProcessor processor = OlrProcessor.start(config, cluster.bootstrapServers());
        final CountDownLatch shutdownDone = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            haltUnlessDoneWithin(processor.shutdownTimeout(), shutdownDone);
            try {
                processor.close();
                cluster.close();
            } finally {
                shutdownDone.countDown();
            }
        }, "olr-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("processor started: examples from " + config.topologyConfig().examplesTopic() + ", events from "
                + config.topologyConfig().eventsTopic() + ", predictions to "
                + config.topologyConfig().predictionsTopic() + " (" + config.topologyConfig().format()
                .name().toLowerCase(java.util.Locale.ROOT) + ")");
        processor.httpUri().ifPresent(uri -> out.println("HTTP endpoint: " + uri
                + " (status page; /models, /metrics, /health, /ready)"));
        out.flush();
        processor.awaitStop();
        if (processor.failed()) {
            Runtime.getRuntime().removeShutdownHook(hook);
            processor.close();
            cluster.close();
            return 1;
        }
        shutdownDone.await();
        return 0;
    }

    /**
     * Halts the JVM, with exit code {@value #HALTED}, if {@code done} is not counted down within
     * {@code timeout}: a shutdown that hangs (an export, a broker that does not answer, a heap
     * exhausted) must not keep the process alive past what its supervisor was told.
     */
    static void haltUnlessDoneWithin(final java.time.Duration timeout, final CountDownLatch done) {
        final Thread deadline = new Thread(() -> {
            try {
                if (done.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                LOG.error("not stopped within olr.shutdown.timeout ({} ms): halting", timeout.toMillis());
                System.err.flush();
            } finally {
                Runtime.getRuntime().halt(HALTED);
            }
        }, "olr-shutdown-deadline");
        deadline.setDaemon(true);
        deadline.start();
    }
}
