package io.kafkaolr.serde;

import io.kafkaolr.avro.ModelAction;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The records of the control topic ({@code ModelCommand}), as {@code olr model import} and {@code delete} send them. */
public final class ControlCommands {
    /** The default size of one import part: well under Kafka's default 1 MB record limit. */
    public static final int DEFAULT_PART_BYTES = 256 * 1024;
    // per entry: the index, a length and Avro's framing
    private static final int ENTRY_OVERHEAD = 16;

    private ControlCommands() {
    }

    /**
     * The parts of an import of {@code snapshot} as model {@code modelId}, each of at most about
     * {@code partBytes} bytes of entries (one entry larger than that gets a part of its own).
     * The processor keeps the parts aside and replaces the model when the last one arrives.
     */
    public static List<ModelCommand> importParts(final String modelId, final ModelSnapshot snapshot,
                                                 final int partBytes) {
        final String importId = UUID.randomUUID().toString();
        final List<List<ModelEntry>> parts = new ArrayList<>();
        List<ModelEntry> current = new ArrayList<>();
        long size = 0;
        for (final Map.Entry<Integer, byte[]> e : snapshot.storeEntries()) {
            final long entrySize = e.getValue().length + ENTRY_OVERHEAD;
            if (!current.isEmpty() && size + entrySize > partBytes) {
                parts.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(ModelEntry.newBuilder().setIndex(e.getKey()).setValue(ByteBuffer.wrap(e.getValue())).build());
            size += entrySize;
        }
        parts.add(current);
        final List<ModelCommand> commands = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            commands.add(ModelCommand.newBuilder().setModelId(modelId).setAction(ModelAction.IMPORT)
                    .setImportId(importId).setPart(p).setParts(parts.size()).setEntries(parts.get(p)).build());
        }
        return commands;
    }

    /** The command that deletes model {@code modelId}. */
    public static ModelCommand delete(final String modelId) {
        return ModelCommand.newBuilder().setModelId(modelId).setAction(ModelAction.DELETE).build();
    }
}
