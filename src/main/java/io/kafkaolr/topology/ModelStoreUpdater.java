package io.kafkaolr.topology;

import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
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
 * tombstones; the directory's list of served models equal to the headers in the store; and
 * the in-memory models that scoring reads ({@link ServedModels}) equal to each model as of
 * the latest header the store has received.
 */
final class ModelStoreUpdater implements Processor<byte[], byte[], Void, Void> {
    private final ModelDirectory directory;
    private final ServedModels served;
    private static final Logger LOG = LoggerFactory.getLogger(ModelStoreUpdater.class);
    private KeyValueStore<Bytes, byte[]> store;
    private Sensor skipped;

    ModelStoreUpdater(final ModelDirectory directory, final ServedModels served) {
        this.directory = directory;
        this.served = served;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        store = context.getStateStore(OlrTopology.MODEL_GLOBAL_STORE);
        skipped = ProcessorMetrics.sensor(context, "scoring", "model-records-skipped");
        // the store is restored before its processor starts: list the models restored, and
        // load them for scoring (Kafka Streams restores through another instance of this
        // processor, whose in-memory copy is replaced here by the store's)
        ModelDirectory.listModels(store, directory::served);
        served.rebuild(store, this::skip);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        try {
            update(record);
        } catch (final RuntimeException e) {
            // the global thread serves every model: one record it cannot use must not stop it
            skip(e);
        }
    }

    private void skip(final RuntimeException e) {
        skipped.record();
        LOG.error("model topic record skipped: {}", e.toString(), e);
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
        final String modelId = ModelTopicFormat.headerModelId(record.key());
        if (modelId != null) {
            if (record.value() == null) {
                // a model rewritten in blocks loses the earlier layout's header but keeps its own
                if (store.get(Bytes.wrap(ModelTopicFormat.headerKey(modelId))) == null
                        && store.get(Bytes.wrap(ModelStateCodec.headerKey(modelId))) == null) {
                    directory.notServed(modelId);
                }
            } else {
                directory.served(modelId);
            }
        }
        // last: a value it cannot decode is skipped, the store and the directory keep the record
        served.apply(record.key(), record.value());
    }
}
