package io.kafkaolr.core;

/** Why a record could not be used. The names are stable: they appear on the dead-letter topic and in metrics. */
public enum RejectReason {
    /** The record is larger than the configured limit; it is not parsed. */
    RECORD_TOO_LARGE,
    /** The bytes are not a record of the expected format. */
    UNPARSEABLE,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A field has a value of the wrong kind or out of its range (e.g. a negative importance). */
    INVALID_VALUE,
    /** A numeric value is NaN or infinite. */
    NON_FINITE_VALUE,
    /** More features than the configured limit. */
    TOO_MANY_FEATURES,
    /** A label the model does not know and may not add. */
    UNKNOWN_LABEL,
    /** A labeled example whose record key is not its model id, so it could reach the wrong partition. */
    KEY_MISMATCH,
    /**
     * An example on a partition other than its model's: produced with a partitioner other than
     * Kafka's default (murmur2 of the key), or the topic's partitions were changed.
     */
    WRONG_PARTITION,
    /** An event for a model that has never been trained. */
    UNKNOWN_MODEL,
    /** A stored model whose hashing settings differ from this processor's. */
    MODEL_MISMATCH,
    /** The step would make a logit or a weight NaN or infinite: rejected, the model unchanged. */
    NUMERIC_OVERFLOW,
    /** A control command that cannot be applied: an import with missing parts, or with corrupt or inconsistent entries. */
    INVALID_COMMAND,
    /**
     * The record would make something grow past a configured limit (a label's length, a model's
     * classes, rows or header, a task's models, an import's size...): the detail names the
     * limit, its value and the setting that raises it ({@link Limits}).
     */
    LIMIT_EXCEEDED,
    /**
     * Processing the record failed in a way no validation foresaw (a bug): the record is set
     * aside with the exception's class and message, the model is unchanged, and processing goes on.
     */
    INTERNAL_ERROR,
    /** An outcome for an event whose feedback window ended before it arrived (the event already became an example, or was dropped). */
    OUTCOME_LATE,
    /** A second outcome for an event that an earlier outcome already labeled. */
    OUTCOME_DUPLICATE,
    /** An outcome for an event that was never scored with feedback on, or was resolved so long ago it is forgotten. */
    OUTCOME_UNKNOWN_EVENT;

    /** Whether only the feedback join gives this reason (the outcomes' reasons): other branches have no counter of it. */
    public boolean feedbackOnly() {
        return this == OUTCOME_LATE || this == OUTCOME_DUPLICATE || this == OUTCOME_UNKNOWN_EVENT;
    }
}
