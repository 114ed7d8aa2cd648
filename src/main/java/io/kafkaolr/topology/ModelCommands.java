package io.kafkaolr.topology;

import io.kafkaolr.avro.ModelAction;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelEntry;
import io.kafkaolr.core.Limits;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.util.SortedMap;
import java.util.TreeMap;
import io.kafkaolr.serde.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the control topic's commands to the training store, inside the training task (so in
 * the same transactions as the examples, and in the task's order with them).
 *
 * <ul>
 *   <li>DELETE removes every entry of the model: its rows, names, AUC window and header
 *       (tombstones on the model topic, so scoring forgets it too).</li>
 *   <li>IMPORT replaces the model by the entries given, validated first: a header this
 *       processor can use (same hashing), rows that decode, nothing else. An import in
 *       several parts keeps its parts in {@link OlrTopology#IMPORTS_STORE} until the last one
 *       arrives, then replaces the model whole, in one step.</li>
 * </ul>
 * Cost: O(model size) per command, never per example.
 */
final class ModelCommands {
    private final KeyValueStore<Bytes, byte[]> weights;
    private final KeyValueStore<Bytes, byte[]> imports;
    private final RecordCodec<ModelCommand> codec;
    private final int hashBits;
    private final Limits limits;
    private final int aucWindow;

    ModelCommands(final KeyValueStore<Bytes, byte[]> weights, final KeyValueStore<Bytes, byte[]> imports,
                  final RecordCodec<ModelCommand> codec, final int hashBits, final Limits limits,
                  final int aucWindow) {
        this.aucWindow = aucWindow;
        this.weights = weights;
        this.imports = imports;
        this.codec = codec;
        this.hashBits = hashBits;
        this.limits = limits;
    }

    /** The command in {@code value}, decoded. */
    ModelCommand decode(final byte[] value) {
        return codec.decode(value);
    }

    /**
     * Applies {@code command} to the store.
     *
     * @param taskModels the models the task holds, committed or not (for {@code olr.limits.models-per-task})
     * @throws RejectedInputException if it cannot be applied; nothing is changed then
     */
    void apply(final ModelCommand command, final Set<String> taskModels) {
        final String modelId = command.getModelId();
        if (command.getAction() == ModelAction.DELETE) {
            delete(modelId);
            return;
        }
        final int parts = command.getParts();
        final int part = command.getPart();
        if (parts < 1 || part < 0 || part >= parts) {
            throw invalid("part " + part + " of " + parts);
        }
        if (parts > 1 && command.getImportId().isEmpty()) {
            throw invalid("an import in " + parts + " parts needs an import_id");
        }
        if (!taskModels.contains(modelId) && taskModels.size() >= limits.modelsPerTask()) {
            throw Limits.exceeded("the models of this task", taskModels.size() + 1, limits.modelsPerTask(),
                    "olr.limits.models-per-task");
        }
        if (part < parts - 1) {
            imports.put(partKey(command.getImportId(), part), codec.encode(command));
            return;
        }
        final List<ModelEntry> entries = new ArrayList<>();
        final List<Bytes> staged = new ArrayList<>();
        try {
            long bytes = entryBytes(command.getEntries());
            for (int p = 0; p < parts - 1; p++) {
                final Bytes key = partKey(command.getImportId(), p);
                final byte[] stored = imports.get(key);
                if (stored == null) {
                    throw invalid("import " + command.getImportId() + " of model '" + modelId + "': part " + p + " of "
                            + parts + " never arrived (or was applied already); the model is unchanged");
                }
                staged.add(key);
                // counted before decoding: an import's size is known before it is held in memory
                bytes += stored.length;
                if (bytes > limits.importBytes()) {
                    throw Limits.exceeded("import " + command.getImportId() + "'s size in bytes", bytes,
                            limits.importBytes(), "olr.limits.import-bytes");
                }
                final ModelCommand earlier = codec.decode(stored);
                if (!earlier.getModelId().equals(modelId)) {
                    throw invalid("import " + command.getImportId() + ": part " + p + " is for model '"
                            + earlier.getModelId() + "', not '" + modelId + "'");
                }
                entries.addAll(earlier.getEntries());
            }
        } finally {
            // the parts found are used up whether or not the import is valid: a retry sends them again
            staged.forEach(imports::delete);
        }
        entries.addAll(command.getEntries());
        replace(modelId, snapshotOf(modelId, entries));
    }

    private static long entryBytes(final List<ModelEntry> entries) {
        long bytes = 0;
        for (final ModelEntry e : entries) {
            bytes += e.getValue().remaining() + 4;
        }
        return bytes;
    }

    private ModelSnapshot snapshotOf(final String modelId, final List<ModelEntry> entries) {
        final Map<Integer, byte[]> stored = new HashMap<>();
        for (final ModelEntry e : entries) {
            if (stored.put(e.getIndex(), RecordCodec.bytes(e.getValue())) != null) {
                throw invalid("model '" + modelId + "': entry " + e.getIndex() + " given twice");
            }
        }
        try {
            return ModelSnapshot.fromStored(stored).checkImport(limits, hashBits);
        } catch (final IllegalArgumentException e) {
            throw invalid("model '" + modelId + "': " + e.getMessage());
        } catch (final RejectedInputException e) {
            throw new RejectedInputException(e.reason(), "model '" + modelId + "': " + e.getMessage());
        }
    }

    private void replace(final String modelId, final ModelSnapshot snapshot) {
        final SortedMap<Integer, byte[]> indexed = new TreeMap<>();
        snapshot.storeEntries().forEach(e -> indexed.put(e.getKey(), e.getValue()));
        final List<Map.Entry<byte[], byte[]>> entries = ModelTopicFormat.entries(modelId, indexed, hashBits, aucWindow);
        final Set<Bytes> replaced = new HashSet<>();
        entries.forEach(e -> replaced.add(Bytes.wrap(e.getKey())));
        // the old entries the import has no value for are deleted, the others overwritten: no header
        // tombstone, so a scorer sees the old model until the new header, never no model
        final List<Bytes> stale = new ArrayList<>();
        final List<Bytes> staleHeaders = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = weights.prefixScan(
                Bytes.wrap(ModelStateCodec.modelPrefix(modelId)), Serdes.Bytes().serializer())) {
            it.forEachRemaining(kv -> {
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(kv.key.get());
                if (key != null && key.modelId().equals(modelId) && !replaced.contains(kv.key)) {
                    (key.isHeader() ? staleHeaders : stale).add(kv.key);
                }
            });
        }
        stale.forEach(weights::delete);
        // the header last: a reader of the model topic that sees it has seen the whole model
        entries.forEach(e -> weights.put(Bytes.wrap(e.getKey()), e.getValue()));
        // an earlier layout's header after the new one: a scorer always has one of them
        staleHeaders.forEach(weights::delete);
    }

    /** Deletes every entry of the model: O(its entries), after a scan of the store for its prefix. */
    private void delete(final String modelId) {
        final List<Bytes> keys = new ArrayList<>();
        final List<Bytes> headers = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = weights.prefixScan(
                Bytes.wrap(ModelStateCodec.modelPrefix(modelId)), Serdes.Bytes().serializer())) {
            it.forEachRemaining(kv -> {
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(kv.key.get());
                if (key != null && key.modelId().equals(modelId)) {
                    (key.isHeader() ? headers : keys).add(kv.key);
                }
            });
        }
        // the header first: a reader that no longer sees it ignores the rest
        headers.forEach(weights::delete);
        keys.forEach(weights::delete);
    }

    private static Bytes partKey(final String importId, final int part) {
        final byte[] id = importId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(id.length + 5).put(id).put((byte) 0).putInt(part).array());
    }

    private static RejectedInputException invalid(final String detail) {
        return new RejectedInputException(RejectReason.INVALID_COMMAND, detail);
    }
}
