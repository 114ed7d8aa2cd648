package io.kafkaolr.kafka;

/** Kafka could not be reached, set up or written to: exit code {@value #EXIT_CODE} of every command. */
public final class KafkaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit code of a command that fails with this exception. */
    public static final int EXIT_CODE = 3;

    /** A failure to reach, set up or write to Kafka, said in {@code message}; {@code cause} may be null. */
    public KafkaUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
