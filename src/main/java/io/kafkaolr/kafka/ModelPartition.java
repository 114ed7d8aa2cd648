package io.kafkaolr.kafka;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * One model's partition of the model topic. The training store's changelog is partitioned like
 * the examples (the model's task writes it), so every entry of a model is on the partition its
 * id hashes to: reading a model costs that partition, not the topic.
 */
public final class ModelPartition {
    private ModelPartition() {
    }

    /** The partition of {@code topic} that holds model {@code modelId}, or null if the topic does not exist. */
    static TopicPartition of(final KafkaConsumer<byte[], byte[]> consumer, final String topic, final String modelId) {
        return Consumers.partitionOf(consumer, topic, modelId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The latest committed value of each entry of {@code modelId} on the model topic of
     * {@code config} whose index {@code keep} accepts ({@link #latest}), read with a consumer of
     * its own; null if there is no model topic.
     *
     * @throws KafkaUnavailableException if Kafka cannot be reached, or the read makes no progress for {@code stall}
     */
    public static Map<Integer, byte[]> read(final OlrConfig config, final String modelId, final IntPredicate keep,
                                            final Duration stall) {
        final TopologyConfig topology = config.topologyConfig();
        final String topic = topology.modelTopic();
        try (KafkaConsumer<byte[], byte[]> consumer = Consumers.unassigned(config.connection())) {
            final TopicPartition partition = of(consumer, topic, modelId);
            return partition == null ? null
                    : latest(consumer, partition, modelId, keep, topology.metrics().aucWindow(), stall);
        } catch (final KafkaException e) {
            throw new KafkaUnavailableException("cannot read " + topic + " from " + config.get("bootstrap.servers")
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The latest committed value of each entry of {@code modelId} whose index {@code keep}
     * accepts, by index in the space of exports ({@link ModelTopicFormat#indexed}: blocks as their
     * rows, the AUC window under {@code aucWindow}): {@code partition} read from its beginning up
     * to its end offset taken now, tombstones removing. The consumer is assigned that partition alone.
     *
     * @param stall how long a read may make no progress before Kafka is deemed unreachable
     * @throws KafkaUnavailableException if the read makes no progress for {@code stall}
     */
    static Map<Integer, byte[]> latest(final KafkaConsumer<byte[], byte[]> consumer, final TopicPartition partition,
                                       final String modelId, final IntPredicate keep, final int aucWindow,
                                       final Duration stall) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        final long end = consumer.endOffsets(List.of(partition)).get(partition);
        final Map<ModelTopicFormat.Key, byte[]> latest = new HashMap<>();
        long position = consumer.position(partition);
        long progressed = System.nanoTime();
        while (position < end) {
            for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= end) {
                    continue;
                }
                final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(r.key());
                if (key == null || !key.modelId().equals(modelId)) {
                    continue;
                }
                if (r.value() == null) {
                    latest.remove(key);
                } else {
                    latest.put(key, r.value());
                }
            }
            final long now = consumer.position(partition);
            if (now > position) {
                position = now;
                progressed = System.nanoTime();
            } else if (System.nanoTime() - progressed > stall.toNanos()) {
                throw new KafkaUnavailableException("reading " + partition + " made no progress for "
                        + stall.toSeconds() + " s (at offset " + position + " of " + end + ")", null);
            }
        }
        final Map<Integer, byte[]> indexed = new HashMap<>();
        ModelTopicFormat.indexed(latest, aucWindow).forEach((index, value) -> {
            if (keep.test(index)) {
                indexed.put(index, value);
            }
        });
        return indexed;
    }
}
