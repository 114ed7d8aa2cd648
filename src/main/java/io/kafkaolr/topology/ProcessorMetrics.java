package io.kafkaolr.topology;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The processor's own counters, registered with Kafka Streams' metrics so that they appear
 * next to its built-in ones (JMX, {@code KafkaStreams#metrics()}): group
 * {@code stream-olr-metrics}, tag {@code olr-id} = training or scoring, metrics
 * {@code <operation>-total} and {@code <operation>-rate}; for examples learned and events scored
 * also {@code <operation>-latency-avg} and {@code -latency-max}, in nanoseconds per record.
 */
final class ProcessorMetrics {
    /** The metrics scope; the group is {@code stream-olr-metrics}. */
    static final String SCOPE = "olr";

    private ProcessorMetrics() {
    }

    static Sensor sensor(final ProcessorContext<?, ?> context, final String role, final String operation) {
        return context.metrics().addRateTotalSensor(SCOPE, role, operation, Sensor.RecordingLevel.INFO);
    }

    /**
     * A sensor recorded once per record with its processing time in nanoseconds: also
     * {@code <operation>-latency-avg} and {@code <operation>-latency-max}.
     */
    static Sensor latencySensor(final ProcessorContext<?, ?> context, final String role, final String operation) {
        return context.metrics().addLatencyRateTotalSensor(SCOPE, role, operation, Sensor.RecordingLevel.INFO);
    }
}
