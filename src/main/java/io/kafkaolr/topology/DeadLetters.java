package io.kafkaolr.topology;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.serde.DeadLetterOriginals;
import io.kafkaolr.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Sends a record that cannot be used to the dead-letter topic, with its reason and its origin,
 * and counts it (metric {@code dead-letters-<reason>-total}, group {@code stream-olr-metrics}).
 * The reason is also in the header {@link #REASON_HEADER}.
 *
 * <p>A dead letter is bounded by construction, whatever the record: it keeps the original's
 * sizes, the SHA-256 of its value, the first {@link #KEY_PREFIX_BYTES} bytes of its key and the
 * first {@code olr.dead-letters.max-original-bytes} of its value, and a detail of at most
 * {@link #DETAIL_CHARS} characters. The original's headers are not kept (they can be as large as
 * the record). So a record that Kafka accepted on an input topic never makes an output Kafka
 * refuses.
 */
public final class DeadLetters {
    /** The header that carries the reason code. */
    static final String REASON_HEADER = "olr.reason";
    /** The feedback join's branch, the only one with counters of the outcomes' reasons. */
    public static final String FEEDBACK_ROLE = "feedback";
    /** The most bytes of the original key that a dead letter keeps (and is keyed by). */
    static final int KEY_PREFIX_BYTES = 1024;
    /** The longest detail. */
    static final int DETAIL_CHARS = 2000;

    private final ProcessorContext<byte[], byte[]> context;
    private final String sinkName;
    private final RecordCodec<DeadLetter> codec;
    private final int valuePrefixBytes;
    private final Map<RejectReason, Sensor> counters = new EnumMap<>(RejectReason.class);

    DeadLetters(final ProcessorContext<byte[], byte[]> context, final String sinkName, final TopologyConfig config,
                final String role) {
        this.context = context;
        this.sinkName = sinkName;
        this.codec = config.deadLetters().codec();
        this.valuePrefixBytes = config.limits().deadLetterOriginalBytes();
        for (final RejectReason reason : RejectReason.values()) {
            if (reason.feedbackOnly() && !role.equals(FEEDBACK_ROLE)) {
                continue;
            }
            counters.put(reason, ProcessorMetrics.sensor(context, role,
                    metricName(reason)));
        }
    }

    /**
     * The name of the counter of records sent to the dead-letter topic for {@code reason}
     * (group {@code stream-olr-metrics}, tagged by branch): {@code dead-letters-<reason>}, the
     * reason in lower case with dashes.
     */
    public static String metricName(final RejectReason reason) {
        return "dead-letters-" + reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Forwards {@code record} to the dead-letter sink with the reason. */
    void send(final Record<byte[], byte[]> record, final RejectReason reason, final String detail) {
        final RecordMetadata origin = context.recordMetadata().orElse(null);
        final byte[] key = record.key();
        final byte[] value = record.value();
        final byte[] keyPrefix = prefix(key, KEY_PREFIX_BYTES);
        final DeadLetter.Builder builder = DeadLetter.newBuilder()
                .setReason(reason.name())
                .setDetail(bounded(detail == null ? reason.name() : detail))
                .setSourceTopic(origin == null ? "" : origin.topic())
                .setSourcePartition(origin == null ? -1 : origin.partition())
                .setSourceOffset(origin == null ? -1 : origin.offset())
                .setOriginalKeySize(key == null ? -1 : key.length)
                .setOriginalValueSize(value == null ? -1 : value.length)
                .setOriginalValueSha256(value == null ? null : RecordCodec.sha256Hex(value));
        DeadLetterOriginals.key(builder, keyPrefix, key == null ? -1 : key.length);
        DeadLetterOriginals.value(builder, prefix(value, valuePrefixBytes), value == null ? -1 : value.length);
        final DeadLetter letter = builder.build();
        final RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(keyPrefix, codec.encode(letter), record.timestamp(), headers), sinkName);
        counters.get(reason).record();
    }

    private static byte[] prefix(final byte[] bytes, final int most) {
        return bytes == null || bytes.length <= most ? bytes : Arrays.copyOf(bytes, most);
    }

    private static String bounded(final String detail) {
        return detail.length() <= DETAIL_CHARS ? detail : detail.substring(0, DETAIL_CHARS - 3) + "...";
    }
}
