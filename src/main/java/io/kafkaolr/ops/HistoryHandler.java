package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.serde.ModelJson;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /models/{id}/history}, what the status page charts: samples the counters of every
 * model this instance holds once a second, on a thread of its own, into a {@link ModelHistory}.
 */
final class HistoryHandler implements AutoCloseable {
    /** The endpoint's logger, whichever class writes: its log lines read as they always did. */
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    private final ModelHistory history = new ModelHistory();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "olr-history");
        thread.setDaemon(true);
        return thread;
    });
    private final String instance;

    /** @param instance this instance's {@code host:port}, which every answer names */
    HistoryHandler(final String instance) {
        this.instance = instance;
    }

    /** Samples {@code models} now and then every second, until {@link #close}. */
    void startSampling(final LocalModels models) {
        sampler.scheduleAtFixedRate(() -> {
            try {
                history.sample(models, System.currentTimeMillis());
            } catch (final RuntimeException e) {
                LOG.debug("history sample skipped", e); // a store migrating: the next sample will do
            }
        }, 0, 1, TimeUnit.SECONDS);
    }

    /** The points sampled of {@code modelId}, oldest first (none yet for a model that just came here). */
    Reply history(final String modelId) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        node.put("model_id", modelId);
        node.put("instance", instance);
        final ArrayNode points = node.putArray("points");
        for (final ModelHistory.Point p : history.points(modelId)) {
            final ObjectNode point = points.addObject().put("time", p.time()).put("examples", p.examples())
                    .put("version", p.version());
            ModelJson.putFinite(point, "progressive_log_loss", p.logLoss());
            ModelJson.putFinite(point, "progressive_accuracy", p.accuracy());
        }
        return Reply.json(200, node);
    }

    /** Stops sampling at once. */
    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
