package io.kafkaolr.topology;

import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The models this instance scores, in memory: each model's header and weight rows, decoded
 * once when the model topic delivers them rather than once per feature per event. The global
 * thread writes them ({@link #rebuild} from the restored global store, then {@link #apply} for
 * each model-topic record); every stream thread's scoring reads them ({@link #predict}).
 *
 * <p>A prediction uses one committed version of a model, never part of a commit. Within each
 * commit the training side writes, per model, the changed rows first and the header last; the
 * global consumer reads committed records only, but applies them one at a time. So rows are
 * staged, invisible to scorers, until their model's header arrives; the staged rows and the
 * header are then applied together under the model's write lock, and a prediction holds the
 * model's read lock. The write lock is held for one model's staged rows only (decoded before
 * it is taken), so scorers of other models never wait, and those of this model wait for map
 * updates, not for decoding.
 *
 * <p>Only what scoring reads is kept: headers and weight rows. AUC-window and names entries
 * stay in the global store alone. Rows arrive in blocks ({@link ModelTopicFormat}); a block
 * replaces the rows the same block held before (an import can leave fewer), so each served
 * model remembers which rows each block holds.
 *
 * <p>Thread-safety: {@link #rebuild} and {@link #apply} from one thread at a time (the global
 * thread); {@link #predict} from any.
 */
final class ServedModels {
    /** One model that has a committed header: rows and header change together, under the lock. */
    private static final class Served {
        // not a StampedLock: its readers enter while a writer waits, so scorers that keep a
        // model busy would starve the global thread; this one queues new readers behind it
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final ModelRows rows;
        // the indices of the rows each block holds, by the block's first index (guarded by lock)
        private final Map<Integer, int[]> blocks = new HashMap<>();
        // guarded by lock; never null once the model is published
        private ModelState header;
        // whether the header came from a key of the earlier layout (global thread only)
        private boolean legacyHeader;

        private Served(final ModelRows rows, final ModelState header) {
            this.rows = rows;
            this.header = header;
        }
    }

    /** A block of rows as it arrived, decoded (null rows: the block's tombstone). */
    private record Block(int first, int[] indices, WeightRow[] rows) {
    }

    /** What a model's next header makes visible: single rows (the earlier layout, model-wide rows), then blocks. */
    private static final class Pending {
        // a null row is a removal
        private final Map<Integer, WeightRow> rows = new HashMap<>();
        private final List<Block> blocks = new ArrayList<>();

        int size() {
            int n = rows.size();
            for (final Block b : blocks) {
                n += b.rows() == null ? 0 : b.rows().length;
            }
            return n;
        }
    }

    private final int hashBits;
    // replaced whole by rebuild, so a scorer never sees a half-cleared map from before it
    private volatile Map<String, Served> models = new ConcurrentHashMap<>();
    // global thread only
    private final Map<String, Pending> staged = new HashMap<>();

    ServedModels(final int hashBits) {
        this.hashBits = hashBits;
    }

    /**
     * Replaces everything held by the models in {@code store}, which holds whole commits (it is
     * restored up to the committed end of the model topic). Rows of a model without a header
     * are staged for the header still to come. An entry that cannot be decoded is given to
     * {@code skipped} and left out.
     */
    void rebuild(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final Consumer<RuntimeException> skipped) {
        // the old copy is dropped first: the store's content is what counts, and two copies of
        // every model would double the memory of a large instance during the scan
        models = new ConcurrentHashMap<>();
        staged.clear();
        final Map<String, ModelState> headers = new HashMap<>();
        final Map<String, Boolean> legacyHeaders = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                try {
                    final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(entry.key.get());
                    if (key != null && key.isHeader()) {
                        // a model rewritten in blocks keeps the header of the blocks
                        if (key instanceof ModelTopicFormat.Entry || !headers.containsKey(key.modelId())) {
                            headers.put(key.modelId(), ModelStateCodec.decodeHeader(entry.value));
                            legacyHeaders.put(key.modelId(), key instanceof ModelTopicFormat.Legacy);
                        }
                    } else if (key != null) {
                        stage(key, entry.value);
                    }
                } catch (final RuntimeException e) {
                    skipped.accept(e);
                }
            });
        }
        headers.forEach(this::publish);
        legacyHeaders.forEach((modelId, legacy) -> models.get(modelId).legacyHeader = legacy);
    }

    /**
     * Applies one model-topic record ({@code value} null for a tombstone): rows are staged, a
     * header makes its staged rows and itself visible at once, a header's tombstone removes the
     * model. Other entries are ignored.
     *
     * @throws IllegalArgumentException if the key is a model key and the value cannot be
     *     decoded; nothing is changed then (the rows staged so far wait for the next header)
     */
    void apply(final byte[] key, final byte[] value) {
        final ModelTopicFormat.Key k = ModelTopicFormat.decodeKey(key);
        if (k == null) {
            return;
        }
        if (k.isHeader()) {
            final boolean legacy = k instanceof ModelTopicFormat.Legacy;
            if (value == null) {
                // the earlier layout's header, deleted after a model was rewritten in blocks, removes nothing
                final Served served = models.get(k.modelId());
                if (served == null || served.legacyHeader == legacy) {
                    remove(k.modelId());
                }
            } else {
                publish(k.modelId(), ModelStateCodec.decodeHeader(value));
                final Served served = models.get(k.modelId());
                if (served != null) {
                    served.legacyHeader = legacy;
                }
            }
        } else {
            stage(k, value);
        }
    }

    private void stage(final ModelTopicFormat.Key key, final byte[] value) {
        final String modelId = key.modelId();
        if (key instanceof ModelTopicFormat.Legacy legacy) {
            if (ModelStateCodec.isRow(legacy.index())) {
                stageRow(modelId, legacy.index(), value == null ? null : ModelStateCodec.decodeRow(value));
            }
            return;
        }
        final ModelTopicFormat.Entry e = (ModelTopicFormat.Entry) key;
        if (e.kind() == ModelTopicFormat.Kind.MODEL_ROW) {
            stageRow(modelId, e.number(), value == null ? null : ModelStateCodec.decodeRow(value));
        } else if (e.kind() == ModelTopicFormat.Kind.ROWS) {
            final Block block;
            if (value == null) {
                block = new Block(e.number(), null, null);
            } else {
                final ModelTopicFormat.RowBlock stored = ModelTopicFormat.decodeRows(value, e.number());
                final WeightRow[] rows = new WeightRow[stored.size()];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = ModelStateCodec.decodeRow(stored.rows()[i]);
                }
                block = new Block(e.number(), stored.indices(), rows);
            }
            final Pending pending = pending(modelId, value == null);
            if (pending != null) {
                pending.blocks.add(block);
            }
        }
    }

    private void stageRow(final String modelId, final int index, final WeightRow row) {
        final Pending pending = pending(modelId, row == null);
        if (pending != null) {
            pending.rows.put(index, row);
        }
    }

    /** The staged changes of {@code modelId}; null for a removal that no version of the model needs (a delete's tombstones). */
    private Pending pending(final String modelId, final boolean removal) {
        Pending pending = staged.get(modelId);
        if (pending == null) {
            if (removal && !models.containsKey(modelId)) {
                return null;
            }
            pending = new Pending();
            staged.put(modelId, pending);
        }
        return pending;
    }

    private void publish(final String modelId, final ModelState header) {
        final Pending pending = staged.remove(modelId);
        final Served served = models.get(modelId);
        if (served == null) {
            // not yet visible to any scorer: filled without the lock, published by the map
            final Served fresh = new Served(new ModelRows(), header);
            applyRows(fresh, pending);
            models.put(modelId, fresh);
            return;
        }
        served.lock.writeLock().lock();
        try {
            applyRows(served, pending);
            served.header = header;
        } finally {
            served.lock.writeLock().unlock();
        }
    }

    private static void applyRows(final Served served, final Pending pending) {
        if (pending == null) {
            return;
        }
        final ModelRows rows = served.rows;
        // the earlier layout's entries first: a model rewritten in blocks deletes them before its blocks
        pending.rows.forEach((index, row) -> {
            if (row == null) {
                rows.remove(index);
            } else {
                rows.load(index, row);
            }
        });
        for (final Block block : pending.blocks) {
            final int[] held = block.rows() == null ? served.blocks.remove(block.first())
                    : served.blocks.put(block.first(), block.indices());
            if (held != null) {
                for (final int index : held) {
                    if (block.indices() == null || Arrays.binarySearch(block.indices(), index) < 0) {
                        rows.remove(index);
                    }
                }
            }
            if (block.rows() != null) {
                for (int i = 0; i < block.rows().length; i++) {
                    rows.load(block.indices()[i], block.rows()[i]);
                }
            }
        }
    }

    private void remove(final String modelId) {
        // the delete's row tombstones, staged or still to come, concern a model no scorer sees
        staged.remove(modelId);
        models.remove(modelId);
    }

    /**
     * Scores {@code x} with the latest committed version of {@code modelId} (the output's
     * version says which).
     *
     * @throws RejectedInputException {@link RejectReason#UNKNOWN_MODEL} if the model has no
     *     committed header; {@link RejectReason#MODEL_MISMATCH} if it hashes onto another
     *     dimension than this processor; {@link RejectReason#NUMERIC_OVERFLOW} from the core
     */
    ModelOutput predict(final String modelId, final SparseVector x) {
        return predict(modelId, settings -> x);
    }

    /**
     * Scores the vector {@code hash} makes of an event for the latest committed version of
     * {@code modelId}, given that version's settings: an event is hashed with the feature crosses
     * of the very model that scores it, under the same lock.
     *
     * @throws RejectedInputException as {@link #predict(String, SparseVector)}, and what {@code hash} throws
     */
    ModelOutput predict(final String modelId, final Function<ModelSettings, SparseVector> hash) {
        final Served served = models.get(modelId);
        if (served == null) {
            throw new RejectedInputException(RejectReason.UNKNOWN_MODEL,
                    "model '" + modelId + "' has not been trained (no example learned and committed yet)");
        }
        served.lock.readLock().lock();
        try {
            final ModelState model = served.header;
            ModelHeaders.requireHashBits(modelId, model, hashBits);
            return OnlineLogisticRegression.predict(model, hash.apply(model.settings()), served.rows);
        } finally {
            served.lock.readLock().unlock();
        }
    }

    /** Whether {@code modelId} has a committed header here. */
    boolean serves(final String modelId) {
        return models.containsKey(modelId);
    }

    /** The rows of {@code modelId} visible to scorers (0 if it is not served); global thread or tests. */
    int rows(final String modelId) {
        final Served served = models.get(modelId);
        if (served == null) {
            return 0;
        }
        served.lock.readLock().lock();
        try {
            return served.rows.size();
        } finally {
            served.lock.readLock().unlock();
        }
    }

    /** The rows of {@code modelId} staged for its next header; global thread or tests. */
    int staged(final String modelId) {
        final Pending pending = staged.get(modelId);
        return pending == null ? 0 : pending.size();
    }
}
