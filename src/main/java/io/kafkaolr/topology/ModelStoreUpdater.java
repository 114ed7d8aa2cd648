package io.kafkaolr.topology;

import io.kafkaolr.serde.ModelStateCodec;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global model store equal to the model topic: puts rows and headers, deletes on
 * tombstones; and the directory's list of served models equal to the headers in the store.
 */
final class ModelStoreUpdater implements Processor<byte[], byte[], Void, Void> {
    private final ModelDirectory directory;
    private static final Logger LOG = LoggerFactory.getLogger(ModelStoreUpdater.class);
    private KeyValueStore<Bytes, byte[]> store;
    private Sensor skipped;

    ModelStoreUpdater(final ModelDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        store = context.getStateStore(OlrTopology.MODEL_GLOBAL_STORE);
        skipped = ProcessorMetrics.sensor(context, "scoring", "model-records-skipped");
        // the store is restored before its processor starts: list the models restored
        ModelDirectory.listModels(store, directory::served);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        try {
            update(record);
        } catch (final RuntimeException e) {
            // the global thread serves every model: one record it cannot use must not stop it
            skipped.record();
            LOG.error("model topic record skipped: {}", e.toString(), e);
        }
    }

    private void update(final Record<byte[], byte[]> record) {
        if (record.key() == null) {
            return; // not written by kafka-olr; nothing to key it by
        }
        if (record.value() == null) {
            store.delete(Bytes.wrap(record.key()));
        } else {
            store.put(Bytes.wrap(record.key()), record.value());
        }
        final String modelId = ModelStateCodec.headerModelId(record.key());
        if (modelId == null) {
            return;
        }
        if (record.value() == null) {
            directory.notServed(modelId);
        } else {
            directory.served(modelId);
        }
    }
}
