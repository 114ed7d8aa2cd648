package io.kafkaolr.it;

import io.kafkaolr.core.ModelState;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Follows the model topic (read_committed) and keeps the latest value of every key, like the global store. */
final class ModelTopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<ModelStateCodec.Key, byte[]> latest = new HashMap<>();

    ModelTopicReader(final KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    void poll() {
        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(100))) {
            latest.put(ModelStateCodec.decodeKey(r.key()), r.value());
        }
    }

    /** The latest header of {@code modelId}, or null. */
    ModelState header(final String modelId) {
        final byte[] bytes = latest.get(new ModelStateCodec.Key(modelId, ModelStateCodec.HEADER_INDEX));
        return bytes == null ? null : ModelStateCodec.decodeHeader(bytes);
    }

    long version(final String modelId) {
        final ModelState header = header(modelId);
        return header == null ? -1 : header.version();
    }

    /** Every latest entry of {@code modelId} by index (header at -1). */
    Map<Integer, byte[]> entries(final String modelId) {
        final Map<Integer, byte[]> out = new java.util.TreeMap<>();
        latest.forEach((key, value) -> {
            if (key.modelId().equals(modelId)) {
                out.put(key.index(), value);
            }
        });
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
