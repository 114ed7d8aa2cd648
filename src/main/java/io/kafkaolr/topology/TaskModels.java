package io.kafkaolr.topology;

import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one training task, held in memory: each model's header, its rows
 * ({@link ModelRows}), its AUC window and the names of rows created since the last commit.
 * Learning reads and writes only this; {@link #writeChanged()} writes what changed since the
 * last commit to the store, once per commit, in the layout of {@link ModelTopicFormat}: each
 * block of rows that has a changed row once, the names of new rows into their block's names,
 * the window's changed chunks, and each model's header last (a reader of the model topic that
 * sees a header has seen the rest of its commit).
 *
 * <p>The store stays the state that survives: the models are read back from it when the task
 * starts (after restoration, a rebalance or a revival), and after a control command rewrote a
 * model in it. A model stored in the earlier layout (one entry per row) is read as well, and
 * rewritten in this layout at the next commit, its earlier entries deleted in that commit.
 */
final class TaskModels {
    private static final Logger LOG = LoggerFactory.getLogger(TaskModels.class);
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
        // the low index bits a block of rows spans (ModelTopicFormat.blockShift), -1 until chosen
        private int shift = -1;
        // the smallest and largest span of the blocks read from the store (-1: none)
        private int storedShiftMin = -1;
        private int storedShiftMax = -1;
        // write every block, its names and the whole window at the next commit
        private boolean rewriteAll;
        // keys of the earlier layout, deleted at the next commit: its header after the new one
        private final List<Bytes> legacyKeys = new ArrayList<>();
        private Bytes legacyHeader;
        // the first indices of the blocks of rows and of names the store holds
        private final TreeSet<Integer> rowBlocks = new TreeSet<>();
        private final TreeSet<Integer> nameBlocks = new TreeSet<>();
        // the window chunks the store holds, and those read before the header was
        private final TreeSet<Integer> windowChunks = new TreeSet<>();
        private final List<ModelTopicFormat.WindowChunk> loadedChunks = new ArrayList<>();
        private final Map<Integer, byte[]> legacyWindow = new HashMap<>();

        private Model(final String id, final int aucWindow) {
            this.id = id;
            this.prefix = ModelStateCodec.modelPrefix(id);
            this.window = new AucWindow(aucWindow);
        }

        private Bytes key(final ModelTopicFormat.Kind kind, final int number) {
            return Bytes.wrap(ModelTopicFormat.key(prefix, kind, number));
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
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(entry.key.get());
                if (key != null) {
                    load(models.computeIfAbsent(key.modelId(), id -> new Model(id, aucWindow)), key, entry);
                }
            });
        }
        // entries left without a header (a model deleted while its rows were being written) are no model
        models.values().removeIf(m -> m.state == null && m.unusable == null);
        models.values().forEach(this::finishLoading);
        listed.clear();
        listed.addAll(models.keySet());
    }

    /** Reads one model back from the store after a command rewrote it; false when it is gone. */
    boolean reload(final String modelId) {
        final Model model = new Model(modelId, aucWindow);
        changed.remove(models.remove(modelId));
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(model.prefix), Serdes.Bytes().serializer())) {
            it.forEachRemaining(entry -> {
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(entry.key.get());
                if (key != null && key.modelId().equals(modelId)) {
                    load(model, key, entry);
                }
            });
        }
        if (model.state == null && model.unusable == null) {
            listed.remove(modelId);
            return false;
        }
        finishLoading(model);
        models.put(modelId, model);
        listed.add(modelId);
        return true;
    }

    private void load(final Model model, final ModelTopicFormat.Key key, final KeyValue<Bytes, byte[]> entry) {
        final byte[] value = entry.value;
        try {
            if (key instanceof ModelTopicFormat.Legacy legacy) {
                model.rewriteAll = true;
                final int index = legacy.index();
                if (index == ModelStateCodec.HEADER_INDEX) {
                    model.legacyHeader = entry.key;
                } else {
                    model.legacyKeys.add(entry.key);
                }
                if (index == ModelStateCodec.HEADER_INDEX) {
                    loadHeader(model, value);
                } else if (ModelStateCodec.isRow(index)) {
                    model.rows.load(index, ModelStateCodec.decodeRow(value));
                } else if (ModelStateCodec.isNames(index)) {
                    model.newNames.put(ModelStateCodec.namedRow(index), ModelStateCodec.decodeNames(value));
                } else if (ModelStateCodec.isWindowEntry(value)) {
                    model.legacyWindow.put(index, value);
                }
                return;
            }
            final ModelTopicFormat.Entry e = (ModelTopicFormat.Entry) key;
            switch (e.kind()) {
                case HEADER -> loadHeader(model, value);
                case ROWS -> {
                    model.rowBlocks.add(e.number());
                    final ModelTopicFormat.RowBlock block = ModelTopicFormat.decodeRows(value, e.number());
                    for (int i = 0; i < block.size(); i++) {
                        model.rows.load(block.indices()[i], ModelStateCodec.decodeRow(block.rows()[i]));
                    }
                    model.storedShiftMin = model.storedShiftMin < 0 ? block.shift()
                            : Math.min(model.storedShiftMin, block.shift());
                    model.storedShiftMax = Math.max(model.storedShiftMax, block.shift());
                }
                case MODEL_ROW -> model.rows.load(e.number(), ModelStateCodec.decodeRow(value));
                case WINDOW -> {
                    model.windowChunks.add(e.number());
                    model.loadedChunks.add(ModelTopicFormat.decodeWindow(value));
                }
                case NAMES -> {
                    // read when a block gains names: names are for people, not for learning
                    model.nameBlocks.add(e.number());
                }
                default -> throw new IllegalStateException("unknown kind " + e.kind());
            }
        } catch (final RuntimeException ex) {
            if (model.unusable == null) {
                // an entry no validation could have let in: the model's examples are refused, the task goes on
                model.unusable = new RejectedInputException(RejectReason.INTERNAL_ERROR,
                        "an entry of model '" + model.id + "' cannot be read from the store: " + ex);
            }
        }
    }

    private void loadHeader(final Model model, final byte[] value) {
        // decoded anew, never shared: learning changes the state in place
        try {
            model.state = ModelHeaders.decode(model.id, value, hashBits);
        } catch (final RejectedInputException e) {
            model.unusable = e;
        }
    }

    /** Once every entry of {@code model} is read: its window by version, and the blocks it writes. */
    private void finishLoading(final Model model) {
        if (model.state == null || model.unusable != null) {
            // never rewritten: what the store holds stays for an operator to repair or delete
            return;
        }
        final long version = model.state.version();
        final int size = model.window.size();
        for (final ModelTopicFormat.WindowChunk chunk : model.loadedChunks) {
            for (int i = 0; i < chunk.probabilities().length; i++) {
                final long v = chunk.firstVersion() + i;
                if (chunk.present()[i] && v <= version && v > version - size) {
                    model.window.load(v, chunk.probabilities()[i], chunk.positives()[i]);
                }
            }
        }
        model.loadedChunks.clear();
        // the earlier layout's ring: the slot of update v under this window
        for (long v = Math.max(1, version - size + 1); v <= version && !model.legacyWindow.isEmpty(); v++) {
            final byte[] entry = model.legacyWindow.get(ModelStateCodec.windowIndex(v, size));
            if (entry != null) {
                model.window.load(v, ModelStateCodec.windowProbability(entry), ModelStateCodec.windowPositive(entry));
            }
        }
        model.legacyWindow.clear();
        final int wanted = ModelTopicFormat.blockShift(model.state.settings().hashBits(), model.rows.storedRowBytes());
        model.shift = model.storedShiftMin < 0 ? wanted : Math.min(wanted, model.storedShiftMin);
        if (model.storedShiftMax > model.shift) {
            model.rewriteAll = true; // blocks of another span: all rewritten at this one
        }
        if (model.rewriteAll) {
            model.window.changedSince(Math.max(1, version - size + 1), version);
            changed.add(model);
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
        // the earlier layout's keys first: a reader applying this commit in order then ends with the blocks
        model.legacyKeys.forEach(store::delete);
        model.legacyKeys.clear();
        final int wanted = ModelTopicFormat.blockShift(model.state.settings().hashBits(), model.rows.storedRowBytes());
        if (model.shift < 0 || wanted < model.shift) {
            // wider rows: smaller blocks, each starting where a larger one did, so no key is left behind
            model.rewriteAll |= model.shift >= 0;
            model.shift = wanted;
        }
        final int shift = model.shift;
        if (model.rewriteAll) {
            readAllNames(model);
        }
        writeRows(model, shift);
        writeNames(model, shift);
        model.window.writeChanged(model, store);
        store.put(model.key(ModelTopicFormat.Kind.HEADER, 0), ModelStateCodec.encodeHeader(model.state));
        if (model.legacyHeader != null) {
            // after the new header: a reader of the model topic always has one of the two
            store.delete(model.legacyHeader);
            model.legacyHeader = null;
        }
        model.rewriteAll = false;
        listed.add(model.id);
    }

    /** Adds the stored names of every row of {@code model} to those to write (a rewrite re-splits them). */
    private void readAllNames(final Model model) {
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(model.prefix),
                Serdes.Bytes().serializer())) {
            it.forEachRemaining(entry -> {
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(entry.key.get());
                if (key instanceof ModelTopicFormat.Entry e && e.kind() == ModelTopicFormat.Kind.NAMES
                        && e.modelId().equals(model.id)) {
                    final ModelTopicFormat.NamesBlock block = namesOrNone(model, entry.value);
                    for (int i = 0; i < block.indices().length; i++) {
                        model.newNames.putIfAbsent(block.indices()[i], ModelStateCodec.decodeNames(block.names()[i]));
                    }
                }
            });
        }
    }

    /** Each block with a changed row, whole, once; then the changed model-wide rows. */
    /**
     * Each block with a changed row, whole, once; then the changed model-wide rows. A rewrite
     * (another span, the earlier layout) first deletes every stored block it does not rewrite,
     * so that no block of another span is left behind.
     */
    private void writeRows(final Model model, final int shift) {
        final ModelRows rows = model.rows;
        final BitSet dirty = new BitSet();
        final List<Integer> modelWide = new ArrayList<>();
        final java.util.function.IntConsumer mark = index -> {
            if (index < FeatureHasher.FIRST_MODEL_ROW) {
                dirty.set(index >>> shift);
            } else {
                modelWide.add(index);
            }
        };
        if (model.rewriteAll) {
            rows.forEachIndex(mark);
            for (final java.util.Iterator<Integer> it = model.rowBlocks.iterator(); it.hasNext(); ) {
                final int first = it.next();
                if ((first & ((1 << shift) - 1)) != 0 || !dirty.get(first >>> shift)) {
                    store.delete(model.key(ModelTopicFormat.Kind.ROWS, first));
                    it.remove();
                }
            }
        } else {
            rows.forEachDirty(mark);
        }
        rows.clearDirty();
        if (!dirty.isEmpty()) {
            final int[] indices = rowsOfBlocks(rows, dirty, shift);
            final int n = indices.length;
            final byte[][] encoded = new byte[n][];
            for (int i = 0; i < n; i++) {
                encoded[i] = ModelStateCodec.encodeRow(rows.read(indices[i]));
            }
            // ascending: a block that takes the key of an earlier, larger one is written before the
            // blocks its other rows moved to, so a reader applying this commit in order ends with every row
            for (int from = 0; from < n; ) {
                final int block = indices[from] >>> shift;
                int to = from;
                while (to < n && indices[to] >>> shift == block) {
                    to++;
                }
                store.put(model.key(ModelTopicFormat.Kind.ROWS, block << shift), ModelTopicFormat.encodeRows(shift,
                        to - from, Arrays.copyOfRange(indices, from, to), Arrays.copyOfRange(encoded, from, to)));
                model.rowBlocks.add(block << shift);
                from = to;
            }
        }
        for (final int index : modelWide) {
            store.put(model.key(ModelTopicFormat.Kind.MODEL_ROW, index), ModelStateCodec.encodeRow(rows.read(index)));
        }
    }

    /**
     * The indices of every row in the blocks set in {@code blocks}, ascending: a probe per index of
     * those blocks when they are few, else one pass over the rows.
     */
    private static int[] rowsOfBlocks(final ModelRows rows, final BitSet blocks, final int shift) {
        final long probes = (long) blocks.cardinality() << shift;
        if (probes < rows.featureRows() / 4) {
            int n = 0;
            int[] indices = new int[16];
            for (int b = blocks.nextSetBit(0); b >= 0; b = blocks.nextSetBit(b + 1)) {
                final int first = b << shift;
                for (int index = first; index < first + (1 << shift); index++) {
                    if (rows.contains(index)) {
                        if (n == indices.length) {
                            indices = Arrays.copyOf(indices, 2 * n);
                        }
                        indices[n++] = index;
                    }
                }
            }
            return Arrays.copyOf(indices, n);
        }
        int n = 0;
        int[] indices = new int[Math.max(16, Math.min(rows.featureRows(), 1024))];
        for (int slot = 0; slot < rows.featureRows(); slot++) {
            final int index = rows.indexAtSlot(slot);
            if (blocks.get(index >>> shift)) {
                if (n == indices.length) {
                    indices = Arrays.copyOf(indices, 2 * n);
                }
                indices[n++] = index;
            }
        }
        Arrays.sort(indices, 0, n);
        return Arrays.copyOf(indices, n);
    }

    /** The names block stored, or none when it cannot be read (names are labels: new ones replace it). */
    private static ModelTopicFormat.NamesBlock namesOrNone(final Model model, final byte[] stored) {
        if (stored != null) {
            try {
                return ModelTopicFormat.decodeNamesBlock(stored);
            } catch (final IllegalArgumentException e) {
                LOG.warn("the feature names of a block of model '{}' cannot be read and are written anew: {}",
                        model.id, e.getMessage());
            }
        }
        return new ModelTopicFormat.NamesBlock(new int[0], new byte[0][]);
    }

    /**
     * The names of the rows created since the last commit, each into its block's names: the
     * block read, the new names added (until the block reaches
     * {@link ModelTopicFormat#NAMES_BLOCK_BYTES}: names are labels for people), written once.
     */
    private void writeNames(final Model model, final int shift) {
        final int n = model.newNames.size();
        if (n == 0 && !model.rewriteAll) {
            return;
        }
        // the new rows by index (indices are not negative): index in the high half, position in the low
        final long[] order = new long[n];
        final List<List<String>> lists = new ArrayList<>(model.newNames.values());
        int k = 0;
        for (final int index : model.newNames.keySet()) {
            order[k] = ((long) index << 32) | k;
            k++;
        }
        model.newNames.clear();
        Arrays.sort(order);
        if (model.rewriteAll) {
            // every names block is rewritten: those of another span or without names any more are deleted first
            final java.util.Set<Integer> rewritten = new java.util.HashSet<>();
            for (final long o : order) {
                rewritten.add(((int) (o >>> 32) >>> shift) << shift);
            }
            for (final java.util.Iterator<Integer> it = model.nameBlocks.iterator(); it.hasNext(); ) {
                final int first = it.next();
                if (!rewritten.contains(first)) {
                    store.delete(model.key(ModelTopicFormat.Kind.NAMES, first));
                    it.remove();
                }
            }
        }
        for (int from = 0; from < n; ) {
            final int first = ((int) (order[from] >>> 32) >>> shift) << shift;
            int to = from;
            while (to < n && ((int) (order[to] >>> 32) >>> shift) << shift == first) {
                to++;
            }
            final Bytes key = model.key(ModelTopicFormat.Kind.NAMES, first);
            final ModelTopicFormat.NamesBlock old = namesOrNone(model, model.rewriteAll ? null : store.get(key));
            long bytes = 5;
            for (final byte[] names : old.names()) {
                bytes += 8 + names.length;
            }
            // the stored names and the new ones merged by index, the new ones while the block has room
            final int[] indices = new int[old.indices().length + to - from];
            final byte[][] names = new byte[indices.length][];
            int m = 0;
            int i = 0;
            for (int j = from; i < old.indices().length || j < to; ) {
                final int next = j < to ? (int) (order[j] >>> 32) : Integer.MAX_VALUE;
                if (i < old.indices().length && old.indices()[i] < next) {
                    indices[m] = old.indices()[i];
                    names[m++] = old.names()[i++];
                    continue;
                }
                final byte[] before = i < old.indices().length && old.indices()[i] == next ? old.names()[i++] : null;
                final byte[] added = ModelStateCodec.encodeNames(lists.get((int) order[j++]));
                final long grown = bytes + added.length + (before == null ? 8 : -before.length);
                if (grown <= ModelTopicFormat.NAMES_BLOCK_BYTES) {
                    indices[m] = next;
                    names[m++] = added;
                    bytes = grown;
                } else if (before != null) {
                    indices[m] = next;
                    names[m++] = before;
                }
            }
            store.put(key, ModelTopicFormat.encodeNamesBlock(indices, names, m));
            model.nameBlocks.add(first);
            from = to;
        }
    }

    /** The task's model {@code modelId} as it is in memory, without refusing an unusable one (null when absent). */
    Model peek(final String modelId) {
        return models.get(modelId);
    }

    /**
     * A binary model's latest progressive predictions, a ring of {@code size} entries by update
     * version, stored in chunks of {@link ModelTopicFormat#WINDOW_CHUNK} updates numbered by
     * version (so that another window size reads them right): at a commit, the chunks of the
     * updates since the last one are written whole, and chunks that fell out of the window are
     * deleted.
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

        private void load(final long version, final double p, final boolean wasPositive) {
            final int slot = slot(version);
            probability[slot] = p;
            positive[slot] = wasPositive;
            present[slot] = true;
        }

        /** Adds the progressive prediction of update {@code version}. */
        void add(final long version, final double positiveProbability, final boolean wasPositive) {
            load(version, positiveProbability, wasPositive);
            changedSince(version, version);
        }

        private void changedSince(final long first, final long last) {
            if (last < first || last < 1) {
                return;
            }
            if (firstChanged == 0) {
                firstChanged = first;
            }
            lastChanged = last;
        }

        private int slot(final long version) {
            return (int) ((version - 1) % size);
        }

        private void writeChanged(final Model model, final KeyValueStore<Bytes, byte[]> store) {
            if (firstChanged == 0) {
                return;
            }
            final long oldest = Math.max(1, lastChanged - size + 1);
            final long from = Math.max(firstChanged, oldest);
            final double[] p = new double[ModelTopicFormat.WINDOW_CHUNK];
            final boolean[] pos = new boolean[ModelTopicFormat.WINDOW_CHUNK];
            final boolean[] has = new boolean[ModelTopicFormat.WINDOW_CHUNK];
            for (int chunk = ModelTopicFormat.windowChunk(from); chunk <= ModelTopicFormat.windowChunk(lastChanged);
                 chunk++) {
                // the chunk whole (the part still in the window): a write replaces it
                final long start = Math.max((long) chunk * ModelTopicFormat.WINDOW_CHUNK + 1, oldest);
                final long end = Math.min((long) (chunk + 1) * ModelTopicFormat.WINDOW_CHUNK, lastChanged);
                int n = 0;
                boolean any = false;
                for (long v = start; v <= end; v++, n++) {
                    final int slot = slot(v);
                    p[n] = probability[slot];
                    pos[n] = positive[slot];
                    has[n] = present[slot];
                    any |= has[n];
                }
                if (any) {
                    store.put(model.key(ModelTopicFormat.Kind.WINDOW, chunk),
                            ModelTopicFormat.encodeWindow(start, p, pos, has, n));
                    model.windowChunks.add(chunk);
                }
            }
            // chunks wholly older than the window
            final int firstLive = ModelTopicFormat.windowChunk(oldest);
            while (!model.windowChunks.isEmpty() && model.windowChunks.first() < firstLive) {
                store.delete(model.key(ModelTopicFormat.Kind.WINDOW, model.windowChunks.pollFirst()));
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
