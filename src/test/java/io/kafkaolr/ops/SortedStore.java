package io.kafkaolr.ops;

import io.kafkaolr.serde.ModelStateCodec;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** A store sorted as RocksDB sorts its keys (unsigned bytes), as the range queries see it. */
final class SortedStore implements ReadOnlyKeyValueStore<Bytes, byte[]> {
    final NavigableMap<Bytes, byte[]> map = new TreeMap<>();

    /** Stores the entries of model {@code modelId} (index to bytes) under its keys. */
    SortedStore put(final String modelId, final Map<Integer, byte[]> entries) {
        entries.forEach((index, value) -> map.put(Bytes.wrap(ModelStateCodec.key(modelId, index)), value));
        return this;
    }

    @Override
    public byte[] get(final Bytes key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return iterator(map.subMap(from, true, to, true));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return iterator(map);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                   final PS serializer) {
        throw new UnsupportedOperationException("the export reads ranges");
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    private static KeyValueIterator<Bytes, byte[]> iterator(final NavigableMap<Bytes, byte[]> entries) {
        final Iterator<Map.Entry<Bytes, byte[]>> it = entries.entrySet().iterator();
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                final Map.Entry<Bytes, byte[]> e = it.next();
                return KeyValue.pair(e.getKey(), e.getValue());
            }

            @Override
            public Bytes peekNextKey() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }
}
