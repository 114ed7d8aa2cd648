package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /models/{id}/history}, what the status page charts: samples the counters of every
 * model this instance holds once a second, on a thread of its own, into a {@link ModelHistory},
 * and has the past of each model that arrives here read from the metrics topic
 * ({@link HistorySeeder}, on a thread of its own too: neither the start nor a request waits for
 * it). The answer says {@code "seeding": true} while that past is still to come, so that the
 * page asks again rather than take a short history for the whole.
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
    private HistorySeeder seeder; // set by startSampling

    /** @param instance this instance's {@code host:port}, which every answer names */
    HistoryHandler(final String instance) {
        this.instance = instance;
    }

    /**
     * Samples {@code models} now and then every second, until {@link #close}; the past of each
     * model that arrives is read from {@code metrics} with consumers of {@code connection}.
     *
     * @param publication how often trainers publish to {@code metrics} ({@code olr.metrics.interval.ms})
     */
    void startSampling(final LocalModels models, final Map<String, Object> connection, final Topic<ModelMetrics> metrics,
                       final Duration publication) {
        startSampling(models, HistorySeeder.of(connection, metrics, publication, history));
    }

    /** As {@link #startSampling(LocalModels, Map, Topic, Duration)}, with the past read by {@code pastReader}. */
    synchronized void startSampling(final LocalModels models, final HistorySeeder pastReader) {
        this.seeder = pastReader;
        sampler.scheduleAtFixedRate(() -> {
            try {
                history.sample(models, System.currentTimeMillis(), pastReader::request);
            } catch (final RuntimeException e) {
                LOG.debug("history sample skipped", e); // a store migrating: the next sample will do
            }
        }, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * The points of {@code modelId}, oldest first, and whether its past is still being read
     * (none yet for a model that just came here).
     */
    Reply history(final String modelId) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        node.put("model_id", modelId);
        node.put("instance", instance);
        final HistorySeeder pastReader;
        synchronized (this) {
            pastReader = seeder;
        }
        node.put("seeding", pastReader != null && (!history.known(modelId) || pastReader.pending(modelId)));
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
        synchronized (this) {
            if (seeder != null) {
                seeder.close();
            }
        }
    }
}
