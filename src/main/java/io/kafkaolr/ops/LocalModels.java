package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The models this instance holds, read through Kafka Streams' interactive queries: from its
 * training tasks' partitions of the training store (the models it learns, exactly as learned),
 * and from its global store (every model, as scoring serves it). Nothing here routes; see
 * {@link OpsServer}.
 */
final class LocalModels {
    /** Where a model's answer comes from. */
    enum Source {
        /** This instance's partition of the training store. */
        TRAINING,
        /** This instance's global store: what scoring serves. */
        SCORING
    }

    private final KafkaStreams streams;
    private final ModelDirectory directory;
    private final TopologyConfig config;

    LocalModels(final KafkaStreams streams, final ModelDirectory directory, final TopologyConfig config) {
        this.streams = streams;
        this.directory = directory;
        this.config = config;
    }

    /** The models this instance answers for on its own: those it trains, or, where it only scores, those it serves. */
    SortedSet<String> ids() {
        final SortedSet<String> ids = new TreeSet<>(directory.trainedModels());
        if (!config.role().trains()) {
            ids.addAll(directory.servedModels());
        }
        return ids;
    }

    /** The models in this instance's global store (empty where it does not score). */
    SortedSet<String> servedIds() {
        return directory.servedModels();
    }

    /** The store this instance answers {@code modelId} from, if any. */
    Optional<Source> source(final String modelId) {
        if (directory.trains(modelId)) { // a training task of this instance holds it
            return Optional.of(Source.TRAINING);
        }
        if (!config.role().trains() && directory.serves(modelId)) {
            return Optional.of(Source.SCORING);
        }
        return Optional.empty();
    }

    private ReadOnlyKeyValueStore<Bytes, byte[]> store(final Source source) {
        final String name = source == Source.TRAINING ? OlrTopology.WEIGHTS_STORE : OlrTopology.MODEL_GLOBAL_STORE;
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<Bytes, byte[]>keyValueStore()));
    }

    /**
     * The header of {@code modelId} in {@code source}, or empty if absent.
     *
     * @throws InvalidStateStoreException if the store cannot be queried now (migrating, restoring, closing)
     */
    Optional<ModelState> header(final String modelId, final Source source) {
        final byte[] bytes = storedHeader(store(source), modelId);
        return bytes == null ? Optional.empty() : Optional.of(ModelStateCodec.decodeHeader(bytes));
    }

    /**
     * The header of {@code modelId} in {@code source} as stored, or empty if absent.
     *
     * @throws InvalidStateStoreException if the store cannot be queried now
     */
    Optional<byte[]> storedHeader(final String modelId, final Source source) {
        return Optional.ofNullable(storedHeader(store(source), modelId));
    }

    /** The stored header of {@code modelId} in {@code store}, in either layout; null when absent. */
    static byte[] storedHeader(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId) {
        final byte[] header = store.get(Bytes.wrap(ModelTopicFormat.headerKey(modelId)));
        return header != null ? header : store.get(Bytes.wrap(ModelStateCodec.headerKey(modelId)));
    }

    /** The entries of {@code modelId} in {@code source}, read range by range as an export goes. */
    ModelJson.StoredEntries entries(final String modelId, final Source source) {
        return entries(store(source), modelId, config.metrics().aucWindow());
    }

    /**
     * The entries of {@code modelId} in {@code store} in the index space of exports
     * ({@link ModelTopicFormat#explode}), each range read by iterators of the store as it goes:
     * at most one block decoded at a time, whatever the model's size. A model's blocks and
     * chunks are keyed by their first index or version, so a range of indices is a range of keys.
     */
    static ModelJson.StoredEntries entries(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId,
                                           final int aucWindow) {
        final byte[] prefix = ModelStateCodec.modelPrefix(modelId);
        final byte[] header = store.get(Bytes.wrap(ModelTopicFormat.headerKey(modelId)));
        if (header == null) {
            return legacyEntries(store, modelId);
        }
        final long version = ModelStateCodec.decodeHeader(header).version();
        return (from, to) -> {
            // the kinds in the order of their indices: names, AUC window, header, rows, model-wide rows
            final List<ModelTopicFormat.Kind> kinds = new ArrayList<>();
            if (from <= ModelStateCodec.namesIndex(FeatureHasher.FIRST_MODEL_ROW - 1)) {
                kinds.add(ModelTopicFormat.Kind.NAMES);
            }
            if (from < ModelStateCodec.HEADER_INDEX && to > ModelStateCodec.namesIndex(FeatureHasher.FIRST_MODEL_ROW)) {
                kinds.add(ModelTopicFormat.Kind.WINDOW);
            }
            if (from <= ModelStateCodec.HEADER_INDEX && to >= ModelStateCodec.HEADER_INDEX) {
                kinds.add(ModelTopicFormat.Kind.HEADER);
            }
            if (to >= 0 && from < FeatureHasher.FIRST_MODEL_ROW) {
                kinds.add(ModelTopicFormat.Kind.ROWS);
            }
            if (to >= FeatureHasher.FIRST_MODEL_ROW) {
                kinds.add(ModelTopicFormat.Kind.MODEL_ROW);
            }
            return new ModelJson.EntryRange() {
                private int kind = -1;
                private KeyValueIterator<Bytes, byte[]> it;
                private final java.util.ArrayDeque<Map.Entry<Integer, byte[]>> ready = new java.util.ArrayDeque<>();

                @Override
                public boolean hasNext() {
                    while (ready.isEmpty()) {
                        if (it == null || !it.hasNext()) {
                            if (it != null) {
                                it.close();
                                it = null;
                            }
                            if (++kind >= kinds.size()) {
                                return false;
                            }
                            final ModelTopicFormat.Kind k = kinds.get(kind);
                            it = store.range(Bytes.wrap(ModelTopicFormat.key(prefix, k, Integer.MIN_VALUE)),
                                    Bytes.wrap(ModelTopicFormat.key(prefix, k, -1)));
                            it = concat(it, store.range(Bytes.wrap(ModelTopicFormat.key(prefix, k, 0)),
                                    Bytes.wrap(ModelTopicFormat.key(prefix, k, Integer.MAX_VALUE))));
                            continue;
                        }
                        // the window's chunks go by version, its entries' indices by a ring: sorted (at most a window)
                        final boolean window = kinds.get(kind) == ModelTopicFormat.Kind.WINDOW;
                        final java.util.TreeMap<Integer, byte[]> sorted = new java.util.TreeMap<>();
                        do {
                            final KeyValue<Bytes, byte[]> kv = it.next();
                            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(kv.key.get());
                            if (kv.value == null || key == null || !key.modelId().equals(modelId)) {
                                continue;
                            }
                            ModelTopicFormat.explode(key, kv.value, version, aucWindow, (index, value) -> {
                                if (index >= from && index <= to) {
                                    if (window) {
                                        sorted.put(index, value);
                                    } else {
                                        ready.add(Map.entry(index, value));
                                    }
                                }
                            });
                        } while (window && it.hasNext());
                        sorted.forEach((index, value) -> ready.add(Map.entry(index, value)));
                    }
                    return true;
                }

                @Override
                public Map.Entry<Integer, byte[]> next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return ready.poll();
                }

                @Override
                public void close() {
                    if (it != null) {
                        it.close();
                    }
                }
            };
        };
    }

    /** Two iterators one after the other (a kind's negative numbers sort after its positive ones as bytes). */
    private static KeyValueIterator<Bytes, byte[]> concat(final KeyValueIterator<Bytes, byte[]> negative,
                                                        final KeyValueIterator<Bytes, byte[]> positive) {
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return negative.hasNext() || positive.hasNext();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                return negative.hasNext() ? negative.next() : positive.next();
            }

            @Override
            public Bytes peekNextKey() {
                return negative.hasNext() ? negative.peekNextKey() : positive.peekNextKey();
            }

            @Override
            public void close() {
                negative.close();
                positive.close();
            }
        };
    }

    /** The names of row {@code index} of {@code modelId} in {@code store}, from its block's names (null: none). */
    static List<String> names(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId,
                              final int index) {
        final byte[] prefix = ModelStateCodec.modelPrefix(modelId);
        final byte[] legacy = store.get(Bytes.wrap(ModelStateCodec.key(prefix, ModelStateCodec.namesIndex(index))));
        if (legacy != null) {
            return ModelStateCodec.decodeNames(legacy);
        }
        // the block's span is that of the model's blocks of rows
        try (KeyValueIterator<Bytes, byte[]> rows = store.range(
                Bytes.wrap(ModelTopicFormat.key(prefix, ModelTopicFormat.Kind.ROWS, 0)),
                Bytes.wrap(ModelTopicFormat.key(prefix, ModelTopicFormat.Kind.ROWS, Integer.MAX_VALUE)))) {
            if (!rows.hasNext()) {
                return null;
            }
            final int shift = ModelTopicFormat.decodeRows(rows.next().value).shift();
            final byte[] block = store.get(Bytes.wrap(ModelTopicFormat.key(prefix, ModelTopicFormat.Kind.NAMES,
                    (index >>> shift) << shift)));
            if (block == null) {
                return null;
            }
            final ModelTopicFormat.NamesBlock names = ModelTopicFormat.decodeNamesBlock(block);
            final int at = java.util.Arrays.binarySearch(names.indices(), index);
            return at < 0 ? null : ModelStateCodec.decodeNames(names.names()[at]);
        }
    }

    /**
     * The entries of {@code modelId} stored in the earlier layout, each range read by one iterator
     * of the store: its keys are its prefix and a 4-byte big-endian index, so that a range of
     * indices of one sign is a range of keys, in the same order.
     */
    private static ModelJson.StoredEntries legacyEntries(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId) {
        final byte[] prefix = ModelStateCodec.modelPrefix(modelId);
        return (from, to) -> {
            final KeyValueIterator<Bytes, byte[]> it = store.range(Bytes.wrap(ModelStateCodec.key(prefix, from)),
                    Bytes.wrap(ModelStateCodec.key(prefix, to)));
            return new ModelJson.EntryRange() {
                private Map.Entry<Integer, byte[]> next;

                @Override
                public boolean hasNext() {
                    while (next == null && it.hasNext()) {
                        final KeyValue<Bytes, byte[]> kv = it.next();
                        // only this model's keys (an id with a NUL, which no model has, could sort in between)
                        if (kv.key.get().length == prefix.length + 4 && kv.value != null) {
                            next = Map.entry(ModelStateCodec.decodeKey(kv.key.get()).index(), kv.value);
                        }
                    }
                    return next != null;
                }

                @Override
                public Map.Entry<Integer, byte[]> next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    final Map.Entry<Integer, byte[]> out = next;
                    next = null;
                    return out;
                }

                @Override
                public void close() {
                    it.close();
                }
            };
        };
    }

    /** The header of {@code modelId} in {@code source}, or empty (absent, or the store is not queryable now). */
    Optional<ModelState> headerIfReadable(final String modelId, final Source source) {
        try {
            return header(modelId, source);
        } catch (final InvalidStateStoreException e) {
            return Optional.empty(); // migrating or restoring: listed again once the store is back
        }
    }

    /**
     * The version scoring serves here, or empty where this instance does not score, does not
     * have it, or cannot read its global store now.
     */
    Optional<Long> servedVersion(final String modelId) {
        return config.role().scores() ? headerIfReadable(modelId, Source.SCORING).map(ModelState::version)
                : Optional.empty();
    }

    /**
     * The {@link #topWeights} of {@code modelId} in {@code source}, read from the store as it goes:
     * one pass over the rows, then the names of the {@code top} rows kept; empty if it has no
     * header (deleted). Memory O(top), whatever the model's size.
     */
    Optional<ObjectNode> topWeights(final String modelId, final Source source, final int top, final boolean byScale) {
        return topWeights(store(source), modelId, top, byScale);
    }

    /** The {@link #topWeights} of {@code modelId} in {@code store}; empty if it has no header. */
    static Optional<ObjectNode> topWeights(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId,
                                           final int top, final boolean byScale) {
        final byte[] header = storedHeader(store, modelId);
        if (header == null) {
            return Optional.empty(); // deleted since it was listed
        }
        // the window is not read for the weights
        return Optional.of(topWeights(modelId, ModelStateCodec.decodeHeader(header), entries(store, modelId, 1),
                index -> names(store, modelId, index), top, byScale));
    }

    /** The summary of a model: what {@code GET /models} lists. */
    ObjectNode summary(final String modelId, final ModelState model, final String instance) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        node.put("model_id", modelId);
        ModelJson.putKind(node, model);
        node.put("examples", model.metrics().examples());
        ModelJson.putFinite(node, "progressive_log_loss", model.metrics().meanLogLoss());
        ModelJson.putFinite(node, "progressive_accuracy", model.metrics().accuracy());
        final Optional<Long> served = servedVersion(modelId);
        if (served.isPresent()) {
            node.put("served_version", served.get());
        } else {
            node.putNull("served_version");
        }
        node.put("instance", instance);
        return node;
    }

    /**
     * The {@code top} largest weights of a model by magnitude, with their features' names where
     * known; for a binary model with the odds ratio {@code exp(w)}: how much one unit of the
     * feature multiplies the odds of the positive class. For softmax, ranked by the largest
     * magnitude over the classes. O(rows log top).
     *
     * <p>A normalised model also gives each feature's scale (its standard deviation when
     * standardised, else its RMS) and the weight per scale ({@code scaled_weight}, with
     * {@code odds_ratio_per_scale}): comparable across features whatever their units. With
     * {@code byScale} the ranking uses that weight, otherwise the weight per unit.
     *
     * <p>Read from the model's header, its entries (the rows once, in one range: memory
     * O(top)) and the names of a row ({@code namesOf}; null: unknown).
     */
    static ObjectNode topWeights(final String modelId, final ModelState model, final ModelJson.StoredEntries entries,
                                 final java.util.function.IntFunction<List<String>> namesOf, final int top,
                                 final boolean byScale) {
        final boolean binary = model.settings().type() == ModelType.BINARY;
        final boolean normalised = model.settings().normalize();
        record Ranked(int index, double[] weights, double scale, double magnitude) {
        }
        final PriorityQueue<Ranked> smallestFirst = new PriorityQueue<>(Comparator.comparingDouble(Ranked::magnitude)
                .thenComparing(Ranked::index, Comparator.reverseOrder()));
        int rows = 0;
        // least squares' covariance row (FIRST_MODEL_ROW) is not a feature: out of the range
        try (ModelJson.EntryRange all = entries.range(0, FeatureHasher.FIRST_MODEL_ROW - 1)) {
            while (all.hasNext()) {
                final Map.Entry<Integer, byte[]> stored = all.next();
                final int index = stored.getKey();
                rows++;
                final WeightRow row = ModelStateCodec.decodeRow(stored.getValue());
                final double[] w = OnlineLogisticRegression.weights(model, row);
                final double scale = !normalised ? 1.0
                        : row.standardizedAt(model.version()) ? row.deviation() : row.scale();
                double magnitude = 0;
                for (final double v : w) {
                    magnitude = Math.max(magnitude, Math.abs(byScale ? v * scale : v));
                }
                smallestFirst.add(new Ranked(index, w, scale, magnitude));
                if (smallestFirst.size() > top) {
                    smallestFirst.poll();
                }
            }
        }
        final List<Ranked> ranked = new ArrayList<>(smallestFirst);
        ranked.sort(Comparator.comparingDouble(Ranked::magnitude).reversed().thenComparing(Ranked::index));
        final ObjectNode root = ModelJson.MAPPER.createObjectNode();
        root.put("model_id", modelId);
        ModelJson.putKind(root, model);
        root.put("features", rows);
        root.put("ranked_by", byScale ? "scaled_weight" : "weight");
        final double[] bias = OnlineLogisticRegression.bias(model);
        if (binary) {
            root.put("bias", bias[0]);
        }
        final ArrayNode out = root.putArray("weights");
        for (final Ranked r : ranked) {
            final ObjectNode entry = out.addObject();
            final ArrayNode names = entry.putArray("features");
            final List<String> known = namesOf.apply(r.index());
            (known == null ? List.of("#" + r.index()) : known).forEach(names::add);
            entry.put("index", r.index());
            if (binary) {
                entry.put("weight", r.weights()[0]);
                entry.put("odds_ratio", Math.exp(r.weights()[0]));
                if (normalised) {
                    entry.put("scale", r.scale());
                    entry.put("scaled_weight", r.weights()[0] * r.scale());
                    entry.put("odds_ratio_per_scale", Math.exp(r.weights()[0] * r.scale()));
                }
            } else {
                final ObjectNode perClass = entry.putObject("weights");
                final ObjectNode scaled = normalised ? ModelJson.MAPPER.createObjectNode() : null;
                for (int k = 0; k < model.classes().size(); k++) {
                    final double w = k < r.weights().length ? r.weights()[k] : 0.0;
                    perClass.put(model.classes().get(k), w);
                    if (scaled != null) {
                        scaled.put(model.classes().get(k), w * r.scale());
                    }
                }
                if (scaled != null) {
                    entry.put("scale", r.scale());
                    entry.set("scaled_weights", scaled);
                }
            }
        }
        return root;
    }
}
