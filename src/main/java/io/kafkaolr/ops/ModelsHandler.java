package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.TopologyConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * {@code GET /models} and {@code GET /models/{id}}: the summaries of models ({@link LocalModels#summary}).
 * The list gathers this instance's models and every other instance's ({@link OtherInstances}), and
 * says whether it is complete: which training partitions no one listed (their models move or are
 * being restored), which instances did not answer.
 */
final class ModelsHandler {
    private final KafkaStreams streams;
    private final ModelDirectory directory;
    private final TopologyConfig config;
    private final LocalModels models;
    private final OtherInstances otherInstances;
    private final String instance;

    /** @param instance this instance's {@code host:port}, which the summaries of its models name */
    ModelsHandler(final KafkaStreams streams, final ModelDirectory directory, final TopologyConfig config,
                  final LocalModels models, final OtherInstances otherInstances, final String instance) {
        this.streams = streams;
        this.directory = directory;
        this.config = config;
        this.models = models;
        this.otherInstances = otherInstances;
        this.instance = instance;
    }

    /**
     * Every model. {@code localOnly} ({@code ?local}, another instance gathering): only this
     * instance's, with the partitions whose models it listed whole.
     */
    Reply list(final boolean localOnly) {
        final Map<String, JsonNode> byId = new TreeMap<>();
        // which partitions' models the list holds (a partition moving or being restored is listed by
        // no one): those whose task ran here before and after every model was read, and only if
        // every read succeeded
        final SortedSet<Integer> partitions = new TreeSet<>(directory.listedTrainingPartitions());
        boolean allRead = true;
        for (final String id : models.ids()) {
            final Optional<LocalModels.Source> source = models.source(id);
            if (source.isEmpty()) {
                continue;
            }
            try {
                models.header(id, source.get()).ifPresent(model -> byId.put(id, models.summary(id, model, instance)));
            } catch (final InvalidStateStoreException e) {
                allRead = false; // the store is closing or moving: this list lacks its models
            }
        }
        partitions.retainAll(directory.listedTrainingPartitions());
        if (!allRead) {
            partitions.clear();
        }
        final ObjectNode root = ModelJson.MAPPER.createObjectNode();
        final ArrayNode unreachable = ModelJson.MAPPER.createArrayNode();
        if (!localOnly) {
            final OtherInstances.Lists others;
            try {
                others = otherInstances.gatherLists();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reply.error(503, "interrupted");
            }
            // a model listed twice (moving between instances): the first list that has it wins, this instance's first
            others.models().forEach(m -> byId.putIfAbsent(m.path("model_id").asText(), m));
            partitions.addAll(others.partitions());
            others.unreachable().forEach(unreachable::add);
        }
        final ArrayNode list = root.putArray("models");
        byId.values().forEach(list::add);
        if (localOnly) {
            final ArrayNode own = root.putArray("partitions");
            partitions.forEach(own::add);
        } else if (config.role().trains() && config.examplesPartitions() > 0) {
            final ArrayNode missing = ModelJson.MAPPER.createArrayNode();
            for (int p = 0; p < config.examplesPartitions(); p++) {
                if (!partitions.contains(p)) {
                    missing.add(p);
                }
            }
            root.put("complete", missing.isEmpty());
            if (!missing.isEmpty()) {
                root.set("missing_partitions", missing); // their models are moving or being restored
            }
        } else if (!config.role().trains()) {
            root.put("complete", streams.state() == KafkaStreams.State.RUNNING);
        }
        if (!unreachable.isEmpty()) {
            root.set("unreachable", unreachable); // the list lacks these instances' models
        }
        return Reply.json(200, root);
    }

    /** One model this instance holds, in {@code source}: its summary, the store it was read from, its settings. */
    Reply one(final String modelId, final LocalModels.Source source) {
        final Optional<ModelState> model = models.header(modelId, source);
        if (model.isEmpty()) {
            return Reply.notFound("no model '" + modelId + "'");
        }
        final ObjectNode node = models.summary(modelId, model.get(), instance);
        node.put("answered_from", source.name().toLowerCase(Locale.ROOT));
        node.set("settings", ModelJson.settings(model.get().settings()));
        return Reply.json(200, node);
    }
}
