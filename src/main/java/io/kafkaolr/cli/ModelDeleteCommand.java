package io.kafkaolr.cli;

import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.ControlTopic;
import io.kafkaolr.kafka.ModelPartition;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
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
    ClusterOptions broker;

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
        if (!exists(config)) {
            return ModelCommandGroup.fail(err, NAME, "no model '" + modelId + "' on " + t.modelTopic()
                    + ": nothing to delete", 1);
        }
        final ModelCommand command = ControlCommands.delete(modelId);
        final ControlTopic.Outcome outcome = ModelCommandGroup.sendAndWait(config, modelId,
                List.of(t.commands().encode(command)), Objects::isNull,
                waiting.waitFor(), err, NAME);
        return ModelCommandGroup.report(outcome, "the deletion of model '" + modelId + "'", "",
                "model '" + modelId + "' deleted", t, waiting, spec.commandLine().getOut(), err, NAME);
    }

    /** Whether the model has a header on the model topic (a missing topic: no). */
    private boolean exists(final OlrConfig config) {
        final Map<Integer, byte[]> header = ModelPartition.read(config, modelId,
                index -> index == ModelStateCodec.HEADER_INDEX, waiting.timeout());
        return header != null && header.containsKey(ModelStateCodec.HEADER_INDEX);
    }
}
