package io.kafkaolr.testing;

import io.kafkaolr.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code olr} commands in this JVM, capturing what they print. */
public final class Cli {
    private Cli() {
    }

    /** What a command did. */
    public record Run(int exitCode, String out, String err) {
    }

    /** Runs {@code olr args...}. */
    public static Run olr(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
