package io.kafkaolr.topology;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports an exception that no validation foresaw (a bug) and that costs one record, not the
 * processor: logged with its stack the first time its class and place are met, in one line
 * after that (a flood of one bad kind of record must not flood the log), and described for the
 * dead letter.
 */
final class UnexpectedErrors {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedErrors.class);
    private final Set<String> logged = new HashSet<>();

    /** Logs {@code e}, met while processing the current record of {@code context}; the detail for its dead letter. */
    String report(final RuntimeException e, final ProcessorContext<?, ?> context) {
        final String origin = context.recordMetadata().map(UnexpectedErrors::origin).orElse("a punctuation");
        final StackTraceElement[] stack = e.getStackTrace();
        final String place = e.getClass().getName() + (stack.length == 0 ? "" : " at " + stack[0]);
        if (logged.add(place)) {
            LOG.error("unexpected failure processing {} (task {}); the record goes to the dead-letter topic as "
                    + "INTERNAL_ERROR and processing goes on", origin, context.taskId(), e);
        } else {
            LOG.warn("unexpected failure processing {} (task {}): {} (stack logged before)", origin,
                    context.taskId(), e.toString());
        }
        return "unexpected " + e.getClass().getName() + ": " + e.getMessage()
                + " (a bug: the model is unchanged; please report it with the processor's log)";
    }

    private static String origin(final RecordMetadata m) {
        return m.topic() + "-" + m.partition() + "@" + m.offset();
    }
}
