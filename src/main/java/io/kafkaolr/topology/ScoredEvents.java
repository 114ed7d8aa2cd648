package io.kafkaolr.topology;

import io.kafkaolr.avro.ScoredEvent;
import io.kafkaolr.serde.AvroSingleObjectCodec;
import io.kafkaolr.serde.RecordCodec;

/** The encoding of what scoring remembers: Avro single-object whatever {@code olr.format} says, being internal. */
final class ScoredEvents {
    static final RecordCodec<ScoredEvent> CODEC = new AvroSingleObjectCodec<>(ScoredEvent.class);

    private ScoredEvents() {
    }
}
