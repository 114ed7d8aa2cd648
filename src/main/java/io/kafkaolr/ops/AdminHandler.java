package io.kafkaolr.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.kafka.ControlTopic;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.topology.ModelIds;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /models/{id}} (body: an exported model) and {@code DELETE /models/{id}}, once
 * {@link OpsServer} has checked the admin token: the same control commands as
 * {@code olr model import} and {@code delete}, sent to the control topic, which the training
 * tasks apply. 202 once Kafka took them; the model changes when a task applies them.
 */
final class AdminHandler {
    /** The endpoint's logger, whichever class writes: its log lines read as they always did. */
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    private final TopologyConfig config;
    private final Map<String, Object> connection;
    private final int maxRequestBytes;

    /**
     * @param connection where the cluster is and how to authenticate: the control commands are produced with it
     * @param maxRequestBytes the largest import accepted; larger ones get 413
     */
    AdminHandler(final TopologyConfig config, final Map<String, Object> connection, final int maxRequestBytes) {
        this.config = config;
        this.connection = connection;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Imports ({@code PUT}) or deletes ({@code DELETE}) {@code modelId}: nothing is applied unless 202. */
    Reply change(final Call call, final String method, final String modelId) throws IOException {
        try {
            ModelIds.validate(modelId);
        } catch (final RejectedInputException e) {
            return Reply.error(400, e.getMessage());
        }
        if (!config.role().trains()) {
            return Reply.error(409, "this application only scores; change models through its training application");
        }
        final List<ModelCommand> commands;
        final ObjectNode answer = ModelJson.MAPPER.createObjectNode().put("model_id", modelId);
        if (method.equals("DELETE")) {
            commands = List.of(ControlCommands.delete(modelId));
            answer.put("action", "delete");
        } else {
            // refused before reading when the declared length is too large (18 digits: beyond any long)
            final String declared = call.header("Content-Length");
            if (declared != null && (declared.length() > 18 || Long.parseLong(declared) > maxRequestBytes)) {
                return tooLarge();
            }
            // and as it is read, for a body of undeclared length (chunked): one byte more tells
            final byte[] body;
            try (InputStream in = call.body()) {
                body = in.readNBytes(maxRequestBytes + 1);
            }
            if (body.length > maxRequestBytes) {
                return tooLarge();
            }
            final ModelSnapshot snapshot;
            try {
                snapshot = ModelSnapshot.fromJson(ModelJson.MAPPER.readTree(body))
                        .checkImport(config.limits(), config.modelDefaults().hashBits());
            } catch (final JsonProcessingException e) {
                return Reply.error(400, "the body is not JSON (an exported model): " + e.getOriginalMessage());
            } catch (final RejectedInputException e) {
                return Reply.error(e.reason() == RejectReason.LIMIT_EXCEEDED ? 413 : 400,
                        e.reason() + ": " + e.getMessage() + "; nothing was applied");
            }
            commands = ControlCommands.importParts(modelId, snapshot, ControlCommands.DEFAULT_PART_BYTES);
            answer.put("action", "import").put("version", snapshot.model().version()).put("parts", commands.size());
        }
        final RecordCodec<ModelCommand> codec = config.commands().codec();
        try {
            ControlTopic.send(connection, config.controlTopic(), modelId,
                    commands.stream().map(codec::encode).toList());
        } catch (final IllegalArgumentException e) {
            return Reply.error(413, "Kafka refused a part of the model: " + e.getMessage());
        } catch (final RuntimeException e) {
            LOG.warn("control commands for model '{}' not sent", modelId, e);
            return Reply.error(503, "Kafka did not take the commands (nothing was applied): " + e.getMessage());
        }
        return Reply.json(202, answer.put("topic", config.controlTopic()));
    }

    private Reply tooLarge() {
        return Reply.error(413, "a model of more than " + maxRequestBytes + " bytes (olr.http.max-request-bytes): "
                + "import it with 'olr model import', which sends it in parts");
    }
}
