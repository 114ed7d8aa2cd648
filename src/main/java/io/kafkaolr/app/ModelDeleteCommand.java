package io.kafkaolr.app;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code olr model delete}: removes every entry of a model, through the processor. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Delete a model: the processor removes every entry of it (rows, names, header), so that "
                + "its events go to the dead letters as UNKNOWN_MODEL until it learns again.",
                "Checks on the model topic that the model exists, sends the command to the control topic, then "
                        + "waits until the processor has applied it (the header's tombstone on the model topic)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:deleted (with --no-wait: sent)",
                "1:no such model, the processor refused the command, or did not apply it in time",
                "2:invalid options", "3:Kafka could not be reached"})
public final class ModelDeleteCommand implements Callable<Integer> {
    private static final String NAME = "olr model delete";

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--model-id", required = true, paramLabel = "ID", description = "the model to delete")
    String modelId;

    @Mixin
    WaitOptions waiting;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        if (!ModelCommandGroup.validModelId(modelId, NAME, err)) {
            return 2;
        }
        if (waiting.timeoutSeconds <= 0) {
            return ModelCommandGroup.fail(err, NAME, "--timeout must be positive", 2);
        }
        final OlrConfig config = broker.loadWithCluster();
        final TopologyConfig t = config.topologyConfig();
        if (!exists(config, t)) {
            return ModelCommandGroup.fail(err, NAME, "no model '" + modelId + "' on " + t.modelTopic()
                    + ": nothing to delete", 1);
        }
        final ModelCommand command = ControlCommands.delete(modelId);
        final ControlTopic.Outcome outcome = ModelCommandGroup.sendAndWait(config, modelId,
                List.of(t.format().codec(ModelCommand.class).encode(command)), Objects::isNull,
                waiting.waitFor(), err, NAME);
        if (outcome == null) {
            return 1; // said why
        }
        if (outcome instanceof ControlTopic.Outcome.Refused refused) {
            final DeadLetter letter = refused.letter();
            return ModelCommandGroup.fail(err, NAME, "the processor refused to delete model '" + modelId + "': "
                    + letter.getReason() + ": " + letter.getDetail(), 1);
        }
        if (outcome instanceof ControlTopic.Outcome.Pending) {
            return ModelCommandGroup.fail(err, NAME, "the deletion of model '" + modelId + "' was sent to "
                    + t.controlTopic() + " but not applied within " + waiting.timeoutSeconds + " s: is a processor with "
                    + "application.id " + t.applicationId() + " running? It applies the command when it does", 1);
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.println(outcome instanceof ControlTopic.Outcome.Sent
                ? "model '" + modelId + "' deletion sent to " + t.controlTopic() + " (not waiting for the processor)"
                : "model '" + modelId + "' deleted");
        out.flush();
        return 0;
    }

    /** Whether the model has a header on the model topic (a missing topic: no). */
    private boolean exists(final OlrConfig config, final TopologyConfig t) {
        final String bootstrapServers = config.get("bootstrap.servers");
        try (KafkaConsumer<byte[], byte[]> consumer = Consumers.unassigned(config.connection())) {
            final TopicPartition partition = ModelPartition.of(consumer, t.modelTopic(), modelId);
            if (partition == null) {
                return false;
            }
            final Map<Integer, byte[]> header = ModelPartition.latest(consumer, partition, modelId,
                    index -> index == ModelStateCodec.HEADER_INDEX, waiting.timeout());
            return header.containsKey(ModelStateCodec.HEADER_INDEX);
        } catch (final KafkaException e) {
            throw new KafkaUnavailableException("cannot read " + t.modelTopic() + " from " + bootstrapServers + ": "
                    + e.getMessage(), e);
        }
    }
}
