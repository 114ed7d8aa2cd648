package io.kafkaolr.app;

/** Kafka could not be reached, set up or written to: exit code {@value #EXIT_CODE} of every command. */
final class KafkaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit code of a command that fails with this exception. */
    static final int EXIT_CODE = 3;

    KafkaUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
