package io.kafkaolr.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One model as it is stored: its header, weight rows (optimizer state included), AUC-window
 * entries and feature names, by index. The lossless form behind export and import: the
 * exported JSON ({@link ModelJson}) carries these entries under {@code "state"} (index to
 * base64 of the stored bytes) next to the readable weights, and an import writes them back
 * unchanged, so that the imported model predicts and goes on learning exactly as the
 * exported one would have.
 */
public final class ModelSnapshot {
    /** The longest feature name that is kept (characters); longer names are exported as {@code #index}. */
    public static final int MAX_NAME_CHARS = 1024;

    /** Whether a feature's name is kept with the model (not too long to store). */
    public static boolean keepsName(final String name) {
        return name.length() <= MAX_NAME_CHARS;
    }

    private final ModelState model;
    // header, rows and AUC-window entries; the names are kept apart, as the readable part of the JSON has them
    private final SortedMap<Integer, byte[]> entries;
    private final SortedMap<Integer, List<String>> names;

    private ModelSnapshot(final SortedMap<Integer, byte[]> entries, final SortedMap<Integer, List<String>> names) {
        final byte[] header = entries.get(ModelStateCodec.HEADER_INDEX);
        if (header == null) {
            throw new IllegalArgumentException("the model has no header entry (index -1)");
        }
        this.model = ModelStateCodec.decodeHeader(header);
        final int rows = 1 << model.settings().hashBits();
        for (final Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            final int index = e.getKey();
            if (ModelStateCodec.isRow(index)) {
                if (index >= rows && index != FeatureHasher.FIRST_MODEL_ROW) {
                    throw new IllegalArgumentException("row " + index + " is outside the model's 2^"
                            + model.settings().hashBits() + " rows");
                }
                try {
                    ModelStateCodec.decodeRow(e.getValue());
                } catch (final RuntimeException ex) {
                    throw new IllegalArgumentException("row " + index + " is corrupt: " + ex, ex);
                }
            } else if (index != ModelStateCodec.HEADER_INDEX && !ModelStateCodec.isWindowEntry(e.getValue())) {
                throw new IllegalArgumentException("entry " + index + " is not an AUC-window entry");
            }
        }
        this.entries = entries;
        this.names = names;
    }

    /**
     * The snapshot of the stored entries of one model (index to bytes, as {@link ModelStateCodec}
     * keys them), names entries included.
     *
     * @throws IllegalArgumentException if there is no header or an entry is corrupt
     */
    public static ModelSnapshot fromStored(final Map<Integer, byte[]> stored) {
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        final SortedMap<Integer, List<String>> names = new TreeMap<>();
        for (final Map.Entry<Integer, byte[]> e : stored.entrySet()) {
            if (ModelStateCodec.isNames(e.getKey())) {
                names.put(ModelStateCodec.namedRow(e.getKey()), ModelStateCodec.decodeNames(e.getValue()));
            } else {
                entries.put(e.getKey(), e.getValue());
            }
        }
        return new ModelSnapshot(entries, names);
    }

    /** The snapshot of a model held in memory (by {@code olr replay}): its rows and the names of its features. */
    public static ModelSnapshot of(final ModelState model, final Iterable<Integer> rowIndices,
                                   final WeightAccess weights, final SortedMap<Integer, List<String>> names) {
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        entries.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(model));
        for (final int index : rowIndices) {
            entries.put(index, ModelStateCodec.encodeRow(weights.read(index)));
        }
        final SortedMap<Integer, List<String>> kept = new TreeMap<>();
        names.forEach((index, list) -> {
            final List<String> shortEnough = list.stream().filter(ModelSnapshot::keepsName).toList();
            if (!shortEnough.isEmpty() && entries.containsKey(index)) {
                kept.put(index, shortEnough);
            }
        });
        return new ModelSnapshot(entries, kept);
    }

    /**
     * The snapshot in an exported model's JSON: the entries of its {@code "state"}, the names of
     * its {@code "weights"} (in the order they are written; {@code "#<index>"} stands for a row
     * whose names are unknown).
     *
     * @throws IllegalArgumentException with the reason, if the JSON is not an exported model
     */
    public static ModelSnapshot fromJson(final JsonNode json) {
        final JsonNode state = json.get("state");
        if (state == null || !state.isObject()) {
            throw new IllegalArgumentException("no \"state\" object: only models exported by kafka-olr "
                    + "('olr replay --export-model', 'olr model export') can be imported");
        }
        final SortedMap<Integer, byte[]> entries = new TreeMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            final int index;
            try {
                index = Integer.parseInt(e.getKey());
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException("state key '" + e.getKey() + "' is not an index", ex);
            }
            if (ModelStateCodec.isNames(index) || !e.getValue().isTextual()) {
                throw new IllegalArgumentException("state entry " + index + " is not a stored row, header or window entry");
            }
            try {
                entries.put(index, Base64.getDecoder().decode(e.getValue().asText()));
            } catch (final IllegalArgumentException ex) {
                throw new IllegalArgumentException("state entry " + index + " is not base64: " + ex.getMessage(), ex);
            }
        }
        final ModelSnapshot withoutNames = new ModelSnapshot(entries, new TreeMap<>());
        final FeatureHasher hasher = new FeatureHasher(withoutNames.model.settings().hashBits());
        final SortedMap<Integer, List<String>> names = new TreeMap<>();
        final JsonNode weights = json.get("weights");
        if (weights != null) {
            for (final Iterator<String> it = weights.fieldNames(); it.hasNext(); ) {
                final String name = it.next();
                final int index = hasher.index(name);
                if (keepsName(name) && entries.containsKey(index) && !unnamed(name, index)) {
                    names.computeIfAbsent(index, i -> new ArrayList<>(1)).add(name);
                }
            }
        }
        return new ModelSnapshot(entries, names);
    }

    private static boolean unnamed(final String name, final int index) {
        if (!name.startsWith("#")) {
            return false;
        }
        try {
            return Integer.parseInt(name.substring(1)) != index;
        } catch (final NumberFormatException e) {
            return false;
        }
    }

    /** The model's header. */
    public ModelState model() {
        return model;
    }

    /** Every entry to store, names entries included, by index; the header is the last. */
    public List<Map.Entry<Integer, byte[]>> storeEntries() {
        final List<Map.Entry<Integer, byte[]>> out = new ArrayList<>(entries.size() + names.size());
        names.forEach((row, list) -> out.add(Map.entry(ModelStateCodec.namesIndex(row),
                ModelStateCodec.encodeNames(list))));
        entries.forEach((index, value) -> {
            if (index != ModelStateCodec.HEADER_INDEX) {
                out.add(Map.entry(index, value));
            }
        });
        out.add(Map.entry(ModelStateCodec.HEADER_INDEX, entries.get(ModelStateCodec.HEADER_INDEX)));
        return Collections.unmodifiableList(out);
    }

    /** The weight rows, read from the stored bytes. */
    public WeightAccess weights() {
        return new WeightAccess() {
            @Override
            public WeightRow read(final int index) {
                final byte[] value = entries.get(index);
                return value == null || !ModelStateCodec.isRow(index) ? null : ModelStateCodec.decodeRow(value);
            }

            @Override
            public void write(final int index, final WeightRow row) {
                throw new UnsupportedOperationException("a snapshot is read-only");
            }
        };
    }

    /** The indices of the weight rows, ascending (least squares' model-wide row included). */
    public List<Integer> rowIndices() {
        return entries.keySet().stream().filter(ModelStateCodec::isRow).toList();
    }

    /** The names of the features of each row, where known. */
    public SortedMap<Integer, List<String>> names() {
        return Collections.unmodifiableSortedMap(names);
    }

    /**
     * The exported JSON, as {@link ModelJson#writeExport} writes it: every row, by name where
     * known, {@code #index} otherwise, and the {@code "state"} that an import restores.
     */
    public ObjectNode toJson() {
        final java.util.TreeMap<Integer, byte[]> stored = new java.util.TreeMap<>();
        storeEntries().forEach(e -> stored.put(e.getKey(), e.getValue()));
        final TokenBuffer buffer = new TokenBuffer(ModelJson.MAPPER, false);
        try {
            ModelJson.writeExport(buffer, entries.get(ModelStateCodec.HEADER_INDEX), inMemory(stored), () -> false);
            return (ObjectNode) ModelJson.MAPPER.readTree(buffer.asParser());
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // a buffer in memory does not fail
        }
    }

    /** Entries held in memory, as {@link ModelJson#writeExport} reads them. */
    public static ModelJson.StoredEntries inMemory(final java.util.NavigableMap<Integer, byte[]> stored) {
        return (from, to) -> {
            final Iterator<Map.Entry<Integer, byte[]>> it = stored.subMap(from, true, to, true).entrySet().iterator();
            return new ModelJson.EntryRange() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<Integer, byte[]> next() {
                    return it.next();
                }

                @Override
                public void close() {
                    // nothing held
                }
            };
        };
    }
}
