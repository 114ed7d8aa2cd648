package io.kafkaolr.testing;

import io.kafkaolr.serde.ModelStateCodec;
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

    /** Every stored entry of {@code modelId} by index (the header at {@link ModelStateCodec#HEADER_INDEX}). */
    public static Map<Integer, byte[]> of(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId) {
        final Map<Integer, byte[]> out = new TreeMap<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            while (all.hasNext()) {
                final KeyValue<Bytes, byte[]> e = all.next();
                final ModelStateCodec.Key key = ModelStateCodec.decodeKey(e.key.get());
                if (key.modelId().equals(modelId)) {
                    out.put(key.index(), e.value);
                }
            }
        }
        return out;
    }

    /** The entries of a list, by index. */
    public static Map<Integer, byte[]> ofEntries(final java.util.List<Map.Entry<Integer, byte[]>> entries) {
        final Map<Integer, byte[]> out = new TreeMap<>();
        entries.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
