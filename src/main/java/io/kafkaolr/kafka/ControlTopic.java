package io.kafkaolr.kafka;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.serde.DeadLetterOriginals;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The control topic as {@code olr model import} and {@code delete}, and the HTTP endpoint's
 * admin requests, use it: commands sent keyed by model id, and what the processor made of them,
 * seen on the model topic (the entries it wrote) or the dead-letter topic (the command refused).
 */
public final class ControlTopic {
    private ControlTopic() {
    }

    /**
     * Sends {@code values} to {@code topic}, keyed by {@code modelId}, in order and in one
     * transaction: a reader of committed records (the processor under exactly-once) sees all
     * of an import's parts or none.
     *
     * @param connection where the cluster is and how to authenticate
     *     ({@link io.kafkaolr.config.OlrConfig#connection()})
     * @throws IllegalArgumentException if Kafka refused a record as too large
     * @throws KafkaUnavailableException if Kafka could not be reached or refused the records otherwise
     */
    public static void send(final Map<String, Object> connection, final String topic, final String modelId,
                            final List<byte[]> values) {
        final Map<String, Object> config = new HashMap<>(connection);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-olr-model-command-" + UUID.randomUUID());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        final byte[] key = modelId.getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (final byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, key, value));
            }
            producer.commitTransaction(); // flushes; fails if any send failed, and close() then aborts
        } catch (final KafkaException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof RecordTooLargeException) {
                    throw new IllegalArgumentException("Kafka refused a record as too large (" + cause.getMessage()
                            + "); nothing was applied", e);
                }
            }
            throw new KafkaUnavailableException("cannot send to " + topic + ": " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
        }
    }

    /** What became of commands sent to the control topic. */
    public sealed interface Outcome {
        /** The processor applied them: the awaited value appeared on the model topic. */
        record Applied() implements Outcome {
        }

        /** The processor refused one of them: its dead letter. */
        record Refused(DeadLetter letter) implements Outcome {
        }

        /** Sent; not waited for. */
        record Sent() implements Outcome {
        }

        /** Neither applied nor refused within the time allowed. */
        record Pending() implements Outcome {
        }
    }

    /**
     * Follows the model's partition of the model topic and the dead-letter topic from their end
     * offsets when the watch started, that is before the commands were sent.
     */
    public static final class Watch implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopologyConfig topics;
        private final String modelId;

        private Watch(final KafkaConsumer<byte[], byte[]> consumer, final TopologyConfig topics,
                      final String modelId) {
            this.consumer = consumer;
            this.topics = topics;
            this.modelId = modelId;
        }

        /**
         * Starts watching for {@code modelId}.
         *
         * @throws IllegalStateException if the model topic does not exist
         */
        public static Watch start(final Map<String, Object> connection, final TopologyConfig topics,
                                  final String modelId) {
            final KafkaConsumer<byte[], byte[]> consumer = Consumers.unassigned(connection);
            try {
                final TopicPartition model = ModelPartition.of(consumer, topics.modelTopic(), modelId);
                if (model == null) {
                    throw new IllegalStateException("no model topic " + topics.modelTopic());
                }
                final List<TopicPartition> partitions = new ArrayList<>(List.of(model));
                partitions.addAll(Consumers.partitions(consumer, topics.deadLettersTopic()));
                consumer.assign(partitions);
                consumer.endOffsets(partitions).forEach(consumer::seek);
                return new Watch(consumer, topics, modelId);
            } catch (final RuntimeException e) {
                consumer.close();
                throw e;
            }
        }

        /**
         * Waits until the model's header entry gets a value that {@code applied} accepts (null: a
         * tombstone), or a dead letter of one of the records {@code sent} appears.
         */
        public Outcome await(final Predicate<byte[]> applied, final List<byte[]> sent, final Duration timeout) {
            final byte[] key = modelId.getBytes(StandardCharsets.UTF_8);
            final RecordCodec<DeadLetter> letters = topics.deadLetters().codec();
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.modelTopic())) {
                        if (modelId.equals(ModelTopicFormat.headerModelId(r.key())) && applied.test(r.value())) {
                            return new Outcome.Applied();
                        }
                    } else {
                        final DeadLetter letter = decode(letters, r.value());
                        if (letter != null && letter.getSourceTopic().equals(topics.controlTopic())
                                && Arrays.equals(DeadLetterOriginals.key(letter), key)
                                && sent.stream().anyMatch(v -> RecordCodec.sha256Hex(v)
                                        .equals(letter.getOriginalValueSha256()))) {
                            return new Outcome.Refused(letter);
                        }
                    }
                }
            }
            return new Outcome.Pending();
        }

        private static DeadLetter decode(final RecordCodec<DeadLetter> codec, final byte[] value) {
            try {
                return codec.decode(value);
            } catch (final RuntimeException notOne) {
                return null; // not in the configured format: not a dead letter of ours
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
