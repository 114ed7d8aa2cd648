package io.kafkaolr.core;

/** Thrown when an input cannot be used; carries the reason that goes to the dead-letter topic. */
public final class RejectedInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    /** A rejection with its reason and a human-readable detail. */
    public RejectedInputException(final RejectReason reason, final String detail) {
        super(detail, null, false, false); // no stack trace: bad input is expected, not exceptional
        this.reason = reason;
    }

    /** The reason code. */
    public RejectReason reason() {
        return reason;
    }
}
