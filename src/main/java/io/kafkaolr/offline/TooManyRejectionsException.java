package io.kafkaolr.offline;

import java.io.IOException;
import java.util.Map;

/**
 * Thrown by {@link LabeledRowReader#next()} when more lines were refused than its limit allows:
 * a file with that many bad lines is more likely in the wrong format than noisy.
 */
public final class TooManyRejectionsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient RowRejection last;

    TooManyRejectionsException(final String source, final long limit, final Map<?, Long> counts,
                               final RowRejection last) {
        super(source + ": more than " + limit + " lines refused " + counts + "; stopped at line " + last.line()
                + " (" + (last.reason() == null ? "" : last.reason() + ": ") + last.detail() + ")");
        this.last = last;
    }

    /** The rejection that went over the limit (its reason null for a row the model rejected). */
    public RowRejection last() {
        return last;
    }
}
