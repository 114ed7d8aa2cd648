package io.kafkaolr.cli;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.kafka.Consumers;
import io.kafkaolr.kafka.ControlTopic;
import io.kafkaolr.kafka.KafkaUnavailableException;
import io.kafkaolr.topology.ModelIds;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;

/** {@code olr model}: export, import and delete models of a running cluster. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = {"Export, import and delete models. The commands talk to an existing cluster "
                + "(--bootstrap-servers): import and delete go through the processor, on the control topic."},
        subcommands = {ModelExportCommand.class, ModelImportCommand.class, ModelDeleteCommand.class})
public final class ModelCommandGroup {
    private ModelCommandGroup() {
    }

    /** Whether {@code modelId} is a valid model id; says why not on {@code err}. */
    static boolean validModelId(final String modelId, final String command, final PrintWriter err) {
        try {
            ModelIds.validate(modelId);
            return true;
        } catch (final RejectedInputException e) {
            err.println(command + ": invalid --model-id: " + e.getMessage());
            err.flush();
            return false;
        }
    }

    /**
     * Sends {@code values} to the control topic, keyed by {@code modelId}, then, unless
     * {@code timeout} is null, waits until the processor applied them ({@code applied} accepts
     * the model's new header value, null for a tombstone) or refused one.
     *
     * @return what became of them, or null if nothing was sent (the reason is printed on {@code err})
     * @throws IllegalArgumentException if Kafka refused a record as too large (nothing was applied)
     */
    static ControlTopic.Outcome sendAndWait(final OlrConfig config, final String modelId, final List<byte[]> values,
                                            final Predicate<byte[]> applied, final Duration timeout,
                                            final PrintWriter err, final String command) {
        final TopologyConfig t = config.topologyConfig();
        final String bootstrapServers = config.get("bootstrap.servers");
        try {
            final Map<String, Object> connection = config.connection();
            try (KafkaConsumer<byte[], byte[]> consumer = Consumers.unassigned(connection)) {
                for (final String topic : List.of(t.controlTopic(), t.modelTopic())) {
                    if (Consumers.partitions(consumer, topic).isEmpty()) {
                        fail(err, command, "there is no topic " + topic + ": has a processor with application.id "
                                + t.applicationId() + " and examples topic " + t.examplesTopic() + " run on this "
                                + "cluster? 'olr run' creates its topics; nothing was sent", 1);
                        return null;
                    }
                }
            }
            if (timeout == null) {
                ControlTopic.send(connection, t.controlTopic(), modelId, values);
                return new ControlTopic.Outcome.Sent();
            }
            try (ControlTopic.Watch watch = ControlTopic.Watch.start(connection, t, modelId)) {
                ControlTopic.send(connection, t.controlTopic(), modelId, values);
                return watch.await(applied, values, timeout);
            }
        } catch (final KafkaException e) {
            throw new KafkaUnavailableException("cannot use Kafka at " + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    /** Prints {@code message} on {@code err} after the command's name; returns {@code code}. */
    /**
     * Reports what became of commands sent by {@link #sendAndWait}: refused, or not applied in
     * time (on {@code err}, exit code 1), applied or only sent (on {@code out}, 0); null: nothing
     * was sent, and {@code sendAndWait} said why (1).
     *
     * @param what the commands, as the subject of a sentence: "the import of model 'm'"
     * @param size what they carried, said where they were sent (e.g. " (12 entries in 1 part)"), or ""
     * @param applied what to print once they are applied
     */
    static int report(final ControlTopic.Outcome outcome, final String what, final String size, final String applied,
                      final TopologyConfig t, final WaitOptions waiting, final PrintWriter out, final PrintWriter err,
                      final String command) {
        if (outcome == null) {
            return 1;
        }
        if (outcome instanceof ControlTopic.Outcome.Refused refused) {
            return fail(err, command, "the processor refused " + what + ": " + refused.letter().getReason() + ": "
                    + refused.letter().getDetail(), 1);
        }
        if (outcome instanceof ControlTopic.Outcome.Pending) {
            return fail(err, command, what + size + " was sent to " + t.controlTopic() + " but not applied within "
                    + waiting.timeoutSeconds + " s: is a processor with application.id " + t.applicationId()
                    + " running? It applies it when it does", 1);
        }
        out.println(outcome instanceof ControlTopic.Outcome.Sent
                ? what + size + " was sent to " + t.controlTopic() + " (not waiting for the processor)" : applied);
        out.flush();
        return 0;
    }

    static int fail(final PrintWriter err, final String command, final String message, final int code) {
        err.println(command + ": " + message);
        err.flush();
        return code;
    }
}
