package io.kafkaolr.kafka;

import io.kafkaolr.topology.ModelIds;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Consumers for the commands that read a topic: no group, every partition, committed records only. */
public final class Consumers {
    private Consumers() {
    }

    /**
     * A read_committed consumer assigned every partition of {@code topic}, at the beginning or
     * at the end.
     *
     * @throws IllegalArgumentException if the topic does not exist
     */
    public static KafkaConsumer<byte[], byte[]> wholeTopic(final Map<String, Object> connection, final String topic,
                                                           final boolean fromBeginning) {
        final KafkaConsumer<byte[], byte[]> consumer = unassigned(connection);
        final List<TopicPartition> partitions = partitions(consumer, topic);
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalArgumentException("no topic " + topic);
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        return consumer;
    }

    /**
     * A read_committed consumer without a group, assigned nothing yet.
     *
     * @param connection where the cluster is and how to authenticate
     *     ({@link io.kafkaolr.config.OlrConfig#connection()})
     */
    public static KafkaConsumer<byte[], byte[]> unassigned(final Map<String, Object> connection) {
        final Map<String, Object> settings = new HashMap<>(connection);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The partitions of {@code topic}; none if it does not exist. */
    public static List<TopicPartition> partitions(final KafkaConsumer<byte[], byte[]> consumer, final String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /**
     * The partition of {@code topic} where Kafka's default partitioner puts records keyed by
     * {@code key} (murmur2 of the key modulo the partition count), or null if the topic does not
     * exist.
     */
    static TopicPartition partitionOf(final KafkaConsumer<byte[], byte[]> consumer, final String topic,
                                      final byte[] key) {
        final int count = partitions(consumer, topic).size();
        return count == 0 ? null : new TopicPartition(topic, ModelIds.partitionOf(key, count));
    }
}
