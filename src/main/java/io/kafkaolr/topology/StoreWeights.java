package io.kafkaolr.topology;

import io.kafkaolr.core.WeightAccess;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The weight rows of one model in a state store, one store entry per feature index: the
 * adapter through which the numeric core reads and writes only the rows of the example at
 * hand. Writes are noted in {@code dirty} so that they can be published to the model topic.
 */
final class StoreWeights implements WeightAccess {
    private final ReadOnlyKeyValueStore<Bytes, byte[]> reads;
    private final KeyValueStore<Bytes, byte[]> writes;
    private final String modelId;
    private final Map<HashedKey, byte[]> dirty;

    private StoreWeights(final ReadOnlyKeyValueStore<Bytes, byte[]> reads, final KeyValueStore<Bytes, byte[]> writes,
                         final String modelId, final Map<HashedKey, byte[]> dirty) {
        this.reads = reads;
        this.writes = writes;
        this.modelId = modelId;
        this.dirty = dirty;
    }

    /** Read-write access that also records written entries in {@code dirty}, for publication without re-reading. */
    static StoreWeights writable(final KeyValueStore<Bytes, byte[]> store, final String modelId,
                                 final Map<HashedKey, byte[]> dirty) {
        return new StoreWeights(store, store, modelId, dirty);
    }

    /** Read-only access (the scoring side's global store). */
    static StoreWeights readOnly(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final String modelId) {
        return new StoreWeights(store, null, modelId, null);
    }

    @Override
    public WeightRow read(final int index) {
        final byte[] value = reads.get(Bytes.wrap(ModelStateCodec.key(modelId, index)));
        return value == null ? null : ModelStateCodec.decodeRow(value);
    }

    @Override
    public void write(final int index, final WeightRow row) {
        if (writes == null) {
            throw new UnsupportedOperationException("the scoring side never writes weights");
        }
        final byte[] key = ModelStateCodec.key(modelId, index);
        final byte[] value = ModelStateCodec.encodeRow(row);
        writes.put(Bytes.wrap(key), value);
        dirty.put(HashedKey.of(key), value);
    }
}
