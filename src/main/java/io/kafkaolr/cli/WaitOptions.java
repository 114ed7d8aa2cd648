package io.kafkaolr.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of the commands that send a control command and wait until the processor applies it. */
public final class WaitOptions {
    @Option(names = "--no-wait", description = "return once the command is sent, without waiting for the processor")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long to wait for the processor to apply the command (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    /** How long to wait. */
    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** How long to wait for the processor, or null not to wait. */
    Duration waitFor() {
        return noWait ? null : timeout();
    }
}
