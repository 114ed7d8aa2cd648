package io.kafkaolr.topology;

import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The weight rows of one model in a state store, one store entry per feature index: the
 * adapter through which the numeric core reads and writes only the rows of the example at
 * hand.
 */
final class StoreWeights implements WeightAccess {
    private final ReadOnlyKeyValueStore<Bytes, byte[]> reads;
    private final KeyValueStore<Bytes, byte[]> writes;
    // the model id is encoded once per record, not once per feature
    private final byte[] prefix;
    private static final int[] NONE = new int[0];
    // rows read and found absent: the rows this record creates (the training side names them)
    private int[] absent = NONE;
    private int absentCount;

    private StoreWeights(final ReadOnlyKeyValueStore<Bytes, byte[]> reads, final KeyValueStore<Bytes, byte[]> writes,
                         final String modelId) {
        this.reads = reads;
        this.writes = writes;
        this.prefix = ModelStateCodec.modelPrefix(modelId);
    }

    /** Read-write access (the training side). */
    static StoreWeights writable(final KeyValueStore<Bytes, byte[]> store, final String modelId) {
        return new StoreWeights(store, store, modelId);
    }

    /** Read-only access (the scoring side's global store). */
    static StoreWeights readOnly(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId) {
        return new StoreWeights(store, null, modelId);
    }

    /** The store key of the model's header. */
    Bytes headerKey() {
        return key(ModelStateCodec.HEADER_INDEX);
    }

    /** The store key of {@code index} in this model. */
    Bytes key(final int index) {
        return Bytes.wrap(ModelStateCodec.key(prefix, index));
    }

    @Override
    public WeightRow read(final int index) {
        final byte[] value = reads.get(key(index));
        if (value == null && writes != null) {
            if (absentCount == absent.length) {
                absent = Arrays.copyOf(absent, Math.max(4, 2 * absentCount));
            }
            absent[absentCount++] = index;
        }
        return value == null ? null : ModelStateCodec.decodeRow(value);
    }

    /** The rows read and found absent through this object (the rows this record creates); rarely non-empty. */
    Set<Integer> absentRows() {
        final Set<Integer> rows = new HashSet<>(2 * absentCount);
        for (int i = 0; i < absentCount; i++) {
            rows.add(absent[i]);
        }
        return rows;
    }

    /** Whether any row was read and found absent. */
    boolean anyAbsent() {
        return absentCount > 0;
    }

    @Override
    public void write(final int index, final WeightRow row) {
        if (writes == null) {
            throw new UnsupportedOperationException("the scoring side never writes weights");
        }
        writes.put(key(index), ModelStateCodec.encodeRow(row));
    }
}
