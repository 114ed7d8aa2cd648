package io.kafkaolr.testing;

import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads a model's entries out of a kafka-olr store, for assertions. */
public final class StoreEntries {
    private StoreEntries() {
    }

    /**
     * Every stored entry of {@code modelId} by index, in the index space of exports (the header
     * at {@link ModelStateCodec#HEADER_INDEX}; the AUC window under the default window).
     */
    public static Map<Integer, byte[]> of(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId) {
        return of(store, modelId, TopologyConfig.MetricsOutput.DEFAULT.aucWindow());
    }

    /** Every stored entry of {@code modelId} by index, the AUC window under {@code aucWindow}. */
    public static Map<Integer, byte[]> of(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId,
                                          final int aucWindow) {
        final Map<ModelTopicFormat.Key, byte[]> stored = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            while (all.hasNext()) {
                final KeyValue<Bytes, byte[]> e = all.next();
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(e.key.get());
                if (key != null && key.modelId().equals(modelId)) {
                    stored.put(key, e.value);
                }
            }
        }
        return new TreeMap<>(ModelTopicFormat.indexed(stored, aucWindow));
    }

    /** The entries of a list, by index. */
    public static Map<Integer, byte[]> ofEntries(final java.util.List<Map.Entry<Integer, byte[]>> entries) {
        final Map<Integer, byte[]> out = new TreeMap<>();
        entries.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
