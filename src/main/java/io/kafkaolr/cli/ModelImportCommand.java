package io.kafkaolr.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.kafka.ControlTopic;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code olr model import}: an exported model, sent to the processor as a model (a warm start). */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a model exported by 'olr model export' or 'olr replay --export-model' as model ID: "
                + "the processor replaces the model whole by the exported state (rows, optimizer state, header), "
                + "so that it predicts and goes on learning exactly as the exported model would have.",
                "The file is checked before anything is sent; the import goes to the control topic in parts, in one "
                        + "transaction. Then waits until the processor has applied it (the model's header on the "
                        + "model topic) or refused it (a dead letter)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:imported (with --no-wait: sent)",
                "1:the file cannot be imported, the processor refused the import, or did not apply it in time",
                "2:invalid options", "3:Kafka could not be reached"})
public final class ModelImportCommand implements Callable<Integer> {
    private static final String NAME = "olr model import";

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions broker;

    @Parameters(index = "0", paramLabel = "FILE", description = "the exported model (JSON)")
    Path file;

    @Option(names = "--model-id", required = true, paramLabel = "ID",
            description = "the model to create or replace")
    String modelId;

    @Option(names = "--part-bytes", paramLabel = "N", defaultValue = "" + ControlCommands.DEFAULT_PART_BYTES,
            description = "at most about N bytes of stored entries per control record (default: ${DEFAULT-VALUE})")
    int partBytes;

    @Mixin
    WaitOptions waiting;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        if (!ModelCommandGroup.validModelId(modelId, NAME, err)) {
            return 2;
        }
        if (partBytes <= 0 || waiting.timeoutSeconds <= 0) {
            return ModelCommandGroup.fail(err, NAME, "--part-bytes and --timeout must be positive", 2);
        }
        final OlrConfig config = broker.loadWithCluster();
        final TopologyConfig t = config.topologyConfig();

        final ModelSnapshot snapshot;
        try {
            final JsonNode json = ModelJson.MAPPER.readTree(Files.readAllBytes(file));
            if (json == null || !json.isObject()) {
                return ModelCommandGroup.fail(err, NAME, file + " is not a JSON object: only models exported by "
                        + "kafka-olr can be imported; nothing was sent", 1);
            }
            // the processor's own check, so that what it would refuse is refused before anything is sent
            snapshot = ModelSnapshot.fromJson(json).checkImport(t.limits(), t.modelDefaults().hashBits());
        } catch (final JsonProcessingException e) {
            return ModelCommandGroup.fail(err, NAME, file + " is not JSON: " + e.getOriginalMessage()
                    + "; nothing was sent", 1);
        } catch (final IOException e) {
            return ModelCommandGroup.fail(err, NAME, "cannot read " + file + ": " + e, 1);
        } catch (final RejectedInputException e) {
            // what the processor would refuse, with the reason it would give
            return ModelCommandGroup.fail(err, NAME, file + " cannot be imported: " + e.reason() + ": "
                    + e.getMessage() + "; nothing was sent", 1);
        } catch (final RuntimeException e) {
            // IllegalArgumentException with the reason; anything else is a corrupt entry too
            return ModelCommandGroup.fail(err, NAME, file + " cannot be imported: "
                    + (e instanceof IllegalArgumentException ? e.getMessage() : e.toString()) + "; nothing was sent", 1);
        }
        final List<ModelCommand> parts = ControlCommands.importParts(modelId, snapshot, partBytes);
        final RecordCodec<ModelCommand> codec = t.commands().codec();
        final List<byte[]> values = parts.stream().map(codec::encode).toList();
        final List<Map.Entry<Integer, byte[]>> stored = snapshot.storeEntries();
        final String size = stored.size() + " entries in " + parts.size() + (parts.size() == 1 ? " part" : " parts");
        final byte[] header = stored.get(stored.size() - 1).getValue(); // the header comes last

        final ControlTopic.Outcome outcome;
        try {
            outcome = ModelCommandGroup.sendAndWait(config, modelId, values,
                    value -> value != null && Arrays.equals(value, header),
                    waiting.waitFor(), err, NAME);
        } catch (final IllegalArgumentException tooLarge) {
            return ModelCommandGroup.fail(err, NAME, tooLarge.getMessage() + "; a smaller --part-bytes makes "
                    + "smaller records", 1);
        }
        return ModelCommandGroup.report(outcome, "the import of model '" + modelId + "'", " (" + size + ")",
                "model '" + modelId + "' imported: version " + snapshot.model().version() + ", " + size, t, waiting,
                spec.commandLine().getOut(), err, NAME);
    }
}
