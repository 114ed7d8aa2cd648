package io.kafkaolr.ops;

import io.kafkaolr.serde.ModelJson;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code GET /health} and {@code GET /ready}: read from the state of the Kafka Streams client
 * alone, never a store, so that {@link OpsServer} can answer them on Jetty's own threads without
 * blocking.
 */
final class HealthHandler {
    private final KafkaStreams streams;

    HealthHandler(final KafkaStreams streams) {
        this.streams = streams;
    }

    /** 200 unless the processor failed or stopped: a processor still starting (CREATED) is healthy. */
    Reply health() {
        final KafkaStreams.State state = streams.state();
        final boolean up = state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED;
        return Reply.json(up ? 200 : 503, ModelJson.MAPPER.createObjectNode().put("status", up ? "UP" : "DOWN")
                .put("state", state.name()));
    }

    /** 200 once RUNNING, that is with every store restored; 503 before. */
    Reply ready() {
        final KafkaStreams.State state = streams.state();
        final boolean ready = state == KafkaStreams.State.RUNNING;
        return Reply.json(ready ? 200 : 503, ModelJson.MAPPER.createObjectNode().put("ready", ready)
                .put("state", state.name()));
    }
}
