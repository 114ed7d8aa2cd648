package io.kafkaolr.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global model store equal to the model topic: puts rows and headers, deletes on tombstones. */
final class ModelStoreUpdater implements Processor<byte[], byte[], Void, Void> {
    private KeyValueStore<Bytes, byte[]> store;

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        store = context.getStateStore(OlrTopology.MODEL_GLOBAL_STORE);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        if (record.key() == null) {
            return; // not written by kafka-olr; nothing to key it by
        }
        if (record.value() == null) {
            store.delete(Bytes.wrap(record.key()));
        } else {
            store.put(Bytes.wrap(record.key()), record.value());
        }
    }
}
