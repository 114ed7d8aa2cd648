package io.kafkaolr.topology;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Sends a record that cannot be used to the dead-letter topic, with its reason, its origin and
 * its original bytes, and counts it (metric {@code dead-letters-<reason>-total}, group
 * {@code stream-olr-metrics}). The reason is also in the header {@link #REASON_HEADER}.
 */
final class DeadLetters {
    /** The header that carries the reason code. */
    static final String REASON_HEADER = "olr.reason";

    private final ProcessorContext<byte[], byte[]> context;
    private final String sinkName;
    private final RecordCodec<DeadLetter> codec;
    private final Map<RejectReason, Sensor> counters = new EnumMap<>(RejectReason.class);

    DeadLetters(final ProcessorContext<byte[], byte[]> context, final String sinkName, final RecordFormat format,
                final String role) {
        this.context = context;
        this.sinkName = sinkName;
        this.codec = format.codec(DeadLetter.class);
        for (final RejectReason reason : RejectReason.values()) {
            counters.put(reason, ProcessorMetrics.sensor(context, role,
                    "dead-letters-" + reason.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        }
    }

    /** Forwards {@code record} to the dead-letter sink with the reason. */
    void send(final Record<byte[], byte[]> record, final RejectReason reason, final String detail) {
        final RecordMetadata origin = context.recordMetadata().orElse(null);
        final DeadLetter letter = DeadLetter.newBuilder()
                .setReason(reason.name())
                .setDetail(detail == null ? reason.name() : detail)
                .setSourceTopic(origin == null ? "" : origin.topic())
                .setSourcePartition(origin == null ? -1 : origin.partition())
                .setSourceOffset(origin == null ? -1 : origin.offset())
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .build();
        final Record<byte[], byte[]> out = record.withValue(codec.encode(letter));
        out.headers().add(REASON_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        context.forward(out, sinkName);
        counters.get(reason).record();
    }
}
