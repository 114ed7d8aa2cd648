package io.kafkaolr.topology;

import io.kafkaolr.serde.ModelTopicFormat;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Which models this instance holds, for interactive queries: the models of the training
 * tasks it runs now (their partitions of the training store), and the models in its global
 * store (all of them, as scoring sees them). Kafka Streams can list a store only by scanning
 * every row; this keeps the ids, so that listing costs O(models).
 *
 * <p>Not state: an index of the stores, rebuilt from them whenever a task starts (a scan at
 * initialisation, after restoration) and kept current by the processors as they write
 * headers. Thread-safe: written by stream threads, read by the HTTP server.
 */
public final class ModelDirectory {
    private final Map<TaskId, Set<String>> trainingTasks = new ConcurrentHashMap<>();
    private final Set<String> served = ConcurrentHashMap.newKeySet();

    /** The models of the training tasks this instance runs, sorted. */
    public SortedSet<String> trainedModels() {
        final SortedSet<String> all = new TreeSet<>();
        trainingTasks.values().forEach(all::addAll);
        return all;
    }

    /** The models in this instance's global store, sorted (empty where it does not score). */
    public SortedSet<String> servedModels() {
        return new TreeSet<>(served);
    }

    /** Whether a training task of this instance holds {@code modelId}: no copy, unlike {@link #trainedModels}. */
    public boolean trains(final String modelId) {
        for (final Set<String> task : trainingTasks.values()) {
            if (task.contains(modelId)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this instance's global store has {@code modelId}. */
    public boolean serves(final String modelId) {
        return served.contains(modelId);
    }

    /**
     * The partitions whose training tasks run here with their models listed, sorted. A partition
     * Kafka Streams already assigns here but whose task is still being restored is not among
     * them: a model missing from its list may yet arrive.
     */
    public SortedSet<Integer> listedTrainingPartitions() {
        final SortedSet<Integer> partitions = new TreeSet<>();
        trainingTasks.keySet().forEach(task -> partitions.add(task.partition()));
        return partitions;
    }

    /**
     * Training task {@code taskId} started, its store restored: {@code models} are the models
     * found in it, a thread-safe set that the task's processors keep current from now on.
     */
    void openTrainingTask(final TaskId taskId, final Set<String> models) {
        trainingTasks.put(taskId, models);
    }

    /** The task moved away or closed: its models are no longer held here. */
    void closeTrainingTask(final TaskId taskId) {
        trainingTasks.remove(taskId);
    }

    /** Gives {@code into} the id of every model whose header is in {@code store}: a scan, at a task's start only. */
    static void listModels(final KeyValueStore<Bytes, byte[]> store, final Consumer<String> into) {
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                final String modelId = ModelTopicFormat.headerModelId(entry.key.get());
                if (modelId != null) {
                    into.accept(modelId);
                }
            });
        }
    }

    void served(final String modelId) {
        served.add(modelId);
    }

    void notServed(final String modelId) {
        served.remove(modelId);
    }
}
