package io.kafkaolr.topology;

import io.kafkaolr.avro.ScoredEvent;

/**
 * Told what the feedback join resolves, for monitoring (join rate, delays, calibration). Called
 * on a stream thread, inside the task's processing: an implementation must be quick and
 * thread-safe. What it counts is not transactional: a crash may count a resolution twice.
 */
public interface FeedbackObserver {
    /** Observes nothing. */
    FeedbackObserver NONE = new FeedbackObserver() {
    };

    /** An outcome labeled {@code event} with {@code label}; the outcome's record time is {@code outcomeTime}. */
    default void joined(final ScoredEvent event, final String label, final long outcomeTime) {
    }

    /** {@code event}'s window ended without outcome: labeled {@code defaultLabel}, or dropped when null. */
    default void expired(final ScoredEvent event, final String defaultLabel) {
    }

    /** An outcome arrived after the window of an event of {@code modelId}. */
    default void late(final String modelId) {
    }

    /** A second outcome arrived for an event of {@code modelId}. */
    default void duplicate(final String modelId) {
    }
}
