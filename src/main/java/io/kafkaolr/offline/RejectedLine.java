package io.kafkaolr.offline;

/** A line parser's refusal of one line; carries no stack trace, as refusals are routine. */
final class RejectedLine extends Exception {
    private static final long serialVersionUID = 1L;

    private final RowRejection.Reason reason;

    RejectedLine(final RowRejection.Reason reason, final String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    RowRejection.Reason reason() {
        return reason;
    }
}
