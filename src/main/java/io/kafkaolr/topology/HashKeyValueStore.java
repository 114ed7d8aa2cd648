package io.kafkaolr.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * An in-memory key-value store on a hash table. Weight rows are read and written by random
 * key, one per feature: Kafka's in-memory store keeps a sorted tree and RocksDB a sorted
 * skip list, and both pay a long chain of cache misses per access at 2^18 keys and more;
 * here a get or put is one or two. Ordered scans (rare: republication, interactive range
 * queries) sort a snapshot.
 *
 * <p>It is wrapped by Kafka Streams like any store supplied through
 * {@link org.apache.kafka.streams.state.Stores#keyValueStoreBuilder}: changelogging,
 * caching and metrics are Kafka's. Thread-safe, because a global store is written by the
 * global thread while stream threads read it.
 */
class HashKeyValueStore implements KeyValueStore<Bytes, byte[]> {
    private final String name;
    private final Map<HashedKey, byte[]> map = new ConcurrentHashMap<>();
    private volatile boolean open;

    HashKeyValueStore(final String name) {
        this.name = name;
    }

    /** A supplier for {@code Stores.keyValueStoreBuilder}. */
    static KeyValueBytesStoreSupplier supplier(final String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new HashKeyValueStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory-hash";
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        context.register(root, (BatchingStateRestoreCallback) records -> {
            for (final KeyValue<byte[], byte[]> record : records) {
                put(Bytes.wrap(record.key), record.value);
            }
        });
        open = true;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        map.clear();
    }

    @Override
    public Position getPosition() {
        return Position.emptyPosition();
    }

    @Override
    public <R> QueryResult<R> query(final Query<R> query, final PositionBound positionBound, final QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public byte[] get(final Bytes key) {
        return map.get(HashedKey.of(key));
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        if (value == null) {
            map.remove(HashedKey.of(key));
        } else {
            map.put(HashedKey.of(key), value);
        }
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        return value == null ? map.get(HashedKey.of(key)) : map.putIfAbsent(HashedKey.of(key), value);
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public byte[] delete(final Bytes key) {
        return map.remove(HashedKey.of(key));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return sorted(key -> inRange(key, from, to), false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
        return sorted(key -> inRange(key, from, to), true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return sorted(key -> true, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return sorted(key -> true, true);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                   final PS prefixKeySerializer) {
        final byte[] start = prefixKeySerializer.serialize(null, prefix);
        return sorted(key -> key.get().length >= start.length
                && Arrays.equals(key.get(), 0, start.length, start, 0, start.length), false);
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    private static boolean inRange(final Bytes key, final Bytes from, final Bytes to) {
        return (from == null || key.compareTo(from) >= 0) && (to == null || key.compareTo(to) <= 0);
    }

    /** A snapshot of the entries whose key passes {@code filter}, in key order. */
    private KeyValueIterator<Bytes, byte[]> sorted(final Predicate<Bytes> filter, final boolean reverse) {
        final List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>();
        map.forEach((k, v) -> {
            final Bytes key = Bytes.wrap(k.bytes());
            if (filter.test(key)) {
                entries.add(KeyValue.pair(key, v));
            }
        });
        final Comparator<KeyValue<Bytes, byte[]>> order = Comparator.comparing(kv -> kv.key);
        entries.sort(reverse ? order.reversed() : order);
        return iterator(entries);
    }

    private static KeyValueIterator<Bytes, byte[]> iterator(final List<KeyValue<Bytes, byte[]>> entries) {
        final Iterator<KeyValue<Bytes, byte[]>> it = entries.iterator();
        return new KeyValueIterator<>() {
            private int position;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                position++;
                return it.next();
            }

            @Override
            public Bytes peekNextKey() {
                if (position >= entries.size()) {
                    throw new java.util.NoSuchElementException();
                }
                return entries.get(position).key;
            }

            @Override
            public void close() {
                // a snapshot: nothing to release
            }
        };
    }
}
