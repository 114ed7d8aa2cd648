package io.kafkaolr.topology;

import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The weight rows of one model in a state store, one store entry per feature index: the
 * adapter through which the numeric core reads and writes only the rows of the example at
 * hand.
 *
 * <p>Writes are held back until {@link #flush()}: a record either changes the store whole, or,
 * when anything fails before the flush (a limit, an unforeseen exception), not at all, so a
 * refused record can never leave part of a step behind.
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
    private final List<KeyValue<Bytes, byte[]>> held = new ArrayList<>();

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

    /** How many rows were read and found absent. */
    int absentCount() {
        return absentCount;
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
        put(key(index), ModelStateCodec.encodeRow(row));
    }

    /** Holds a write of {@code value} under {@code key} until {@link #flush()}. */
    void put(final Bytes key, final byte[] value) {
        held.add(KeyValue.pair(key, value));
    }

    /** Writes what was held, in the order it was put. */
    void flush() {
        for (final KeyValue<Bytes, byte[]> kv : held) {
            writes.put(kv.key, kv.value);
        }
        held.clear();
    }
}
