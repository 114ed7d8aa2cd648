package io.kafkaolr.it;

import io.kafkaolr.core.ModelState;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Follows the model topic (read_committed) and keeps the latest value of every key, like the global store. */
final class ModelTopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<ModelTopicFormat.Key, byte[]> latest = new HashMap<>();

    ModelTopicReader(final KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    void poll() {
        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(100))) {
            final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(r.key());
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, r.value());
            }
        }
    }

    /** The latest header of {@code modelId}, or null. */
    ModelState header(final String modelId) {
        final byte[] bytes = latest.get(new ModelTopicFormat.Entry(modelId, ModelTopicFormat.Kind.HEADER, 0));
        return bytes == null ? null : ModelStateCodec.decodeHeader(bytes);
    }

    long version(final String modelId) {
        final ModelState header = header(modelId);
        return header == null ? -1 : header.version();
    }

    /** Every latest entry of {@code modelId} by index in the space of exports (header at -1), the default AUC window. */
    Map<Integer, byte[]> entries(final String modelId) {
        final Map<ModelTopicFormat.Key, byte[]> ofModel = new HashMap<>();
        latest.forEach((key, value) -> {
            if (key.modelId().equals(modelId)) {
                ofModel.put(key, value);
            }
        });
        return new java.util.TreeMap<>(ModelTopicFormat.indexed(ofModel,
                TopologyConfig.MetricsOutput.DEFAULT.aucWindow()));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
