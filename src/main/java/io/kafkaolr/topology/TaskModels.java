package io.kafkaolr.topology;

import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The models of one training task, held in memory: each model's header, its rows
 * ({@link ModelRows}), its AUC window and the names of rows created since the last commit.
 * Learning reads and writes only this; {@link #writeChanged()} writes what changed since the
 * last commit to the store, once per commit, each changed entry once, each model's header
 * last (a reader of the model topic that sees a header has seen the rows of its commit).
 *
 * <p>The store stays the state that survives: the models are read back from it when the task
 * starts (after restoration, a rebalance or a revival), and after a control command rewrote a
 * model in it.
 */
final class TaskModels {
    /** One model of the task. */
    static final class Model {
        final String id;
        final byte[] prefix;
        final ModelRows rows = new ModelRows();
        final AucWindow window;
        // names of the rows created since the last commit, written with them
        final Map<Integer, List<String>> newNames = new LinkedHashMap<>();
        ModelState state;
        // why the stored model cannot be learned by this processor (another hashing), or null
        RejectedInputException unusable;

        private Model(final String id, final int aucWindow) {
            this.id = id;
            this.prefix = ModelStateCodec.modelPrefix(id);
            this.window = new AucWindow(aucWindow);
        }

        Bytes key(final int index) {
            return Bytes.wrap(ModelStateCodec.key(prefix, index));
        }
    }

    private final KeyValueStore<Bytes, byte[]> store;
    private final int hashBits;
    private final int aucWindow;
    private final Map<String, Model> models = new HashMap<>();
    // the models whose header is in the store (what interactive queries can find), for the model directory
    private final Set<String> listed;
    // models changed since the last commit, in the order they first changed
    private final Set<Model> changed = new LinkedHashSet<>();

    TaskModels(final KeyValueStore<Bytes, byte[]> store, final int hashBits, final int aucWindow,
               final Set<String> listed) {
        this.store = store;
        this.listed = listed;
        this.hashBits = hashBits;
        this.aucWindow = aucWindow;
    }

    /** Reads every model of the store into memory (one scan), replacing what was held. */
    void loadAll() {
        models.clear();
        changed.clear();
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                final byte[] key = entry.key.get();
                if (ModelStateCodec.isModelKey(key)) {
                    final ModelStateCodec.Key decoded = ModelStateCodec.decodeKey(key);
                    load(models.computeIfAbsent(decoded.modelId(), id -> new Model(id, aucWindow)), decoded.index(),
                            entry.value);
                }
            });
        }
        // entries left without a header (a model deleted while its rows were being written) are no model
        models.values().removeIf(m -> m.state == null && m.unusable == null);
        listed.clear();
        listed.addAll(models.keySet());
    }

    /** Reads one model back from the store after a command rewrote it; false when it is gone. */
    boolean reload(final String modelId) {
        final Model model = new Model(modelId, aucWindow);
        changed.remove(models.remove(modelId));
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(model.prefix), Serdes.Bytes().serializer())) {
            it.forEachRemaining(entry -> load(model, ModelStateCodec.decodeKey(entry.key.get()).index(), entry.value));
        }
        if (model.state == null && model.unusable == null) {
            listed.remove(modelId);
            return false;
        }
        models.put(modelId, model);
        listed.add(modelId);
        return true;
    }

    private void load(final Model model, final int index, final byte[] value) {
        if (index == ModelStateCodec.HEADER_INDEX) {
            // decoded anew, never shared: learning changes the state in place
            try {
                model.state = ModelHeaders.decode(model.id, value, hashBits);
            } catch (final RejectedInputException e) {
                model.unusable = e;
            } catch (final RuntimeException e) {
                // a header no validation could have let in: its examples are refused, the task goes on
                model.unusable = new RejectedInputException(RejectReason.INTERNAL_ERROR,
                        "the stored header of model '" + model.id + "' cannot be read: " + e);
            }
        } else if (ModelStateCodec.isRow(index)) {
            try {
                model.rows.load(index, ModelStateCodec.decodeRow(value));
            } catch (final RuntimeException e) {
                model.unusable = new RejectedInputException(RejectReason.INTERNAL_ERROR,
                        "row " + index + " of model '" + model.id + "' cannot be read from the store: " + e);
            }
        } else if (!ModelStateCodec.isNames(index) && ModelStateCodec.isWindowEntry(value)) {
            model.window.load(index, value);
        }
    }

    /** The model {@code modelId}, or null when the task has none. */
    Model get(final String modelId) {
        final Model model = models.get(modelId);
        if (model != null && model.unusable != null) {
            throw new RejectedInputException(model.unusable.reason(), model.unusable.getMessage());
        }
        return model;
    }

    /** A new model, not yet part of the task: {@link #changed} adds it. */
    Model create(final String modelId, final ModelState fresh) {
        final Model model = new Model(modelId, aucWindow);
        model.state = fresh;
        return model;
    }

    /** Number of models of the task. */
    int size() {
        return models.size();
    }

    /** The ids of the task's models, committed or not (read only). */
    Set<String> ids() {
        return Collections.unmodifiableSet(models.keySet());
    }

    /** Notes that {@code model} changed: it is written at the next commit. */
    void changed(final Model model) {
        models.putIfAbsent(model.id, model);
        changed.add(model);
    }

    /** Writes what changed since the last commit to the store: each changed entry once, headers last per model. */
    void writeChanged() {
        for (final Model model : changed) {
            write(model);
        }
        changed.clear();
    }

    /** Writes what changed in {@code modelId} now (before a command reads or rewrites the model in the store). */
    void writeChanged(final String modelId) {
        final Model model = models.get(modelId);
        if (model != null && changed.remove(model)) {
            write(model);
        }
    }

    private void write(final Model model) {
        model.rows.forEachDirty(index -> store.put(model.key(index),
                ModelStateCodec.encodeRow(model.rows.read(index))));
        model.rows.clearDirty();
        model.newNames.forEach((index, names) -> store.put(model.key(ModelStateCodec.namesIndex(index)),
                ModelStateCodec.encodeNames(names)));
        model.newNames.clear();
        model.window.writeChanged(model, store);
        store.put(model.key(ModelStateCodec.HEADER_INDEX), ModelStateCodec.encodeHeader(model.state));
        listed.add(model.id);
    }

    /** The task's model {@code modelId} as it is in memory, without refusing an unusable one (null when absent). */
    Model peek(final String modelId) {
        return models.get(modelId);
    }

    /**
     * A binary model's latest progressive predictions, a ring of {@code size} entries stored
     * under {@link ModelStateCodec#windowIndex}: the entries of the examples since the last
     * commit are written at the commit (at most {@code size} of them).
     */
    static final class AucWindow {
        private final int size;
        private final double[] probability;
        private final boolean[] positive;
        private final boolean[] present;
        // versions [firstChanged, lastChanged] were added since the last commit (none when firstChanged is 0)
        private long firstChanged;
        private long lastChanged;

        AucWindow(final int size) {
            this.size = size;
            this.probability = new double[size];
            this.positive = new boolean[size];
            this.present = new boolean[size];
        }

        private void load(final int index, final byte[] entry) {
            final int slot = -2 - index;
            if (slot >= 0 && slot < size) {
                probability[slot] = ModelStateCodec.windowProbability(entry);
                positive[slot] = ModelStateCodec.windowPositive(entry);
                present[slot] = true;
            }
        }

        /** Adds the progressive prediction of update {@code version}. */
        void add(final long version, final double positiveProbability, final boolean wasPositive) {
            final int slot = slot(version);
            probability[slot] = positiveProbability;
            positive[slot] = wasPositive;
            present[slot] = true;
            if (firstChanged == 0) {
                firstChanged = version;
            }
            lastChanged = version;
        }

        private int slot(final long version) {
            return -2 - ModelStateCodec.windowIndex(version, size);
        }

        private void writeChanged(final Model model, final KeyValueStore<Bytes, byte[]> store) {
            if (firstChanged == 0) {
                return;
            }
            for (long v = Math.max(firstChanged, lastChanged - size + 1); v <= lastChanged; v++) {
                final int slot = slot(v);
                store.put(model.key(ModelStateCodec.windowIndex(v, size)),
                        ModelStateCodec.encodeWindowEntry(probability[slot], positive[slot]));
            }
            firstChanged = 0;
        }

        /**
         * The entries of updates {@code version}, {@code version - 1}, ... back to the window's
         * size or to the first missing one (an imported model's window can be shorter): their
         * probabilities into {@code scores}, labels into {@code positives}; returns how many.
         */
        int latest(final long version, final double[] scores, final boolean[] positives) {
            final int n = (int) Math.min(version, size);
            for (int i = 0; i < n; i++) {
                final int slot = slot(version - i);
                if (!present[slot]) {
                    return i;
                }
                scores[i] = probability[slot];
                positives[i] = positive[slot];
            }
            return n;
        }

        /** The window's size. */
        int size() {
            return size;
        }
    }
}
