package io.kafkaolr.topology;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store, wrapped around the metered and changelogged store Kafka Streams builds,
 * that runs its task's callback before every commit of the task: the training processor keeps
 * its models in memory and writes the rows changed since the last commit from this callback,
 * so each changed row reaches the store, and its changelog (the model topic), once per commit,
 * in the same transaction as the input offsets that changed it.
 *
 * <p>Why this runs before the commit (Kafka Streams 4.3.1, docs/DESIGN.md): a task's commit is
 * {@code StreamTask.prepareCommit}, which flushes the caches of the stores registered with the
 * task ({@code ProcessorStateManager.flushCache}: every registered store that is a
 * {@code CachedStateStore}, the role of Kafka's own record cache), then flushes the record
 * collector, and only then are the offsets added to the transaction and the transaction
 * committed. This store registers itself as the root of its layers, so it is the registered
 * store, and it is a {@code CachedStateStore} by extending {@link WrappedStateStore}, as every
 * layer of Kafka's own stores does. Writes made from the callback go through the layers
 * below, as any processor's write would: to the changelog, then to the store. These are
 * internal interfaces of Kafka Streams; {@code ChangelogPerCommitIT} fails if a release moves
 * the hook after the commit.
 */
final class BeforeCommitStore extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
        implements KeyValueStore<Bytes, byte[]> {

    /**
     * Connects the stores of one topology to its processors, by task: a store is initialised
     * before its task's processors, and a processor sees stores only through read-write
     * decorators that hide this class.
     */
    static final class Callbacks {
        private final Map<TaskId, BeforeCommitStore> stores = new ConcurrentHashMap<>();

        /** Runs {@code callback} before each commit of task {@code taskId}, until the task's store closes. */
        void register(final TaskId taskId, final Runnable callback) {
            final BeforeCommitStore store = stores.get(taskId);
            if (store == null) {
                throw new IllegalStateException("no before-commit store is open for task " + taskId);
            }
            store.callback = Objects.requireNonNull(callback, "callback");
        }

        /** Stops running the callback of task {@code taskId} (its processor closed). */
        void unregister(final TaskId taskId) {
            final BeforeCommitStore store = stores.get(taskId);
            if (store != null) {
                store.callback = null;
            }
        }

        private void opened(final TaskId taskId, final BeforeCommitStore store) {
            stores.put(taskId, store);
        }

        private void closed(final TaskId taskId, final BeforeCommitStore store) {
            stores.remove(taskId, store);
        }
    }

    private final Callbacks callbacks;
    private TaskId taskId;
    private volatile Runnable callback;

    private BeforeCommitStore(final KeyValueStore<Bytes, byte[]> wrapped, final Callbacks callbacks) {
        super(wrapped);
        this.callbacks = callbacks;
    }

    /** {@code builder}'s stores, each wrapped in one of these, reporting to {@code callbacks}. */
    static StoreBuilder<KeyValueStore<Bytes, byte[]>> builder(final StoreBuilder<KeyValueStore<Bytes, byte[]>> builder,
                                                            final Callbacks callbacks) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
                builder.withCachingEnabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
                builder.withCachingDisabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(final Map<String, String> config) {
                builder.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
                builder.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> build() {
                return new BeforeCommitStore(builder.build(), callbacks);
            }

            @Override
            public Map<String, String> logConfig() {
                return builder.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return builder.loggingEnabled();
            }

            @Override
            public String name() {
                return builder.name();
            }
        };
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        taskId = context.taskId();
        callback = null;
        super.init(context, root);
        callbacks.opened(taskId, this);
    }

    @Override
    public void flushCache() {
        final Runnable current = callback;
        if (current != null) {
            current.run();
        }
        // then the layers below: with Kafka's record cache enabled, what was just written reaches the changelog
        super.flushCache();
    }

    @Override
    public void close() {
        callbacks.closed(taskId, this);
        callback = null;
        super.close();
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        wrapped().put(key, value);
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        return wrapped().putIfAbsent(key, value);
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        wrapped().putAll(entries);
    }

    @Override
    public byte[] delete(final Bytes key) {
        return wrapped().delete(key);
    }

    @Override
    public byte[] get(final Bytes key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                   final PS prefixKeySerializer) {
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }
}
