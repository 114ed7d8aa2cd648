package io.kafkaolr.cli;

import io.kafkaolr.kafka.KafkaUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code olr} command line: its subcommands are the ways to run kafka-olr. */
@Command(name = "olr", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Online logistic regression as a Kafka Streams application.",
        subcommands = {DemoCommand.class, RunCommand.class, ProduceCommand.class, ConsumeCommand.class,
                ReplayCommand.class, EvaluateCommand.class, ModelCommandGroup.class, CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    /** Runs the command line and exits with its code. */
    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, for tests that run commands without exiting. */
    public static CommandLine commandLine() {
        final CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // a bad setting in a file or the environment is a usage error, like a bad option
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            if (e instanceof KafkaUnavailableException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + e.getMessage());
                return KafkaUnavailableException.EXIT_CODE;
            }
            if (e instanceof java.io.IOException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + e);
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kafka-olr " + (v == null ? "(development build)" : v)};
        }
    }
}
