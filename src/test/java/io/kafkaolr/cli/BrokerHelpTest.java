package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.kafka.KafkaUnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What each command's {@code --help} says about a missing {@code --bootstrap-servers} is what it
 * does: only {@code olr run} starts an embedded broker (ReadmeExamplesIT runs it so, and uses the
 * address it prints); every other command stops with exit code 3 and says how to get a broker.
 */
class BrokerHelpTest {
    private static final String STARTS_A_BROKER = "embedded single-node broker is started";

    @TempDir
    Path dir;

    @Test
    void onlyRunSaysItStartsABrokerAndTheOthersDoWhatTheirHelpSays() throws Exception {
        final Path csv = Files.writeString(dir.resolve("train.csv"), "x,label\n1,1\n");
        final Path model = dir.resolve("model.json");
        assertEquals(0, Main.commandLine().setErr(new PrintWriter(new StringWriter()))
                .setOut(new PrintWriter(new StringWriter()))
                .execute("replay", "--train", csv.toString(), "--export-model", model.toString()));
        // each command that takes -b, with its other required arguments
        final Map<String, List<String>> withoutBroker = Map.of(
                "produce", List.of("produce", "--topic", "examples", "--file", csv.toString()),
                "consume", List.of("consume", "--topic", "predictions", "-e"),
                "export", List.of("model", "export", "--model-id", "m"),
                "import", List.of("model", "import", model.toString(), "--model-id", "m"),
                "delete", List.of("model", "delete", "--model-id", "m"));
        final List<String> seen = new ArrayList<>();
        for (final CommandLine command : commandsWithBootstrapServers(Main.commandLine(), new ArrayList<>())) {
            final String name = command.getCommandName();
            seen.add(name);
            final String help = oneLine(command.getUsageMessage(CommandLine.Help.Ansi.OFF));
            if (name.equals("run")) {
                assertTrue(help.contains(STARTS_A_BROKER), help);
                continue;
            }
            assertFalse(help.contains(STARTS_A_BROKER), name + " --help: " + help);
            assertTrue(help.contains("this command starts no broker, and stops with exit code 3 without one"),
                    name + " --help: " + help);
            assertTrue(withoutBroker.containsKey(name), "a new command with -b: add it here: " + name);
            final StringWriter err = new StringWriter();
            final int code = Main.commandLine().setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(err)).execute(withoutBroker.get(name).toArray(String[]::new));
            assertEquals(KafkaUnavailableException.EXIT_CODE, code, name + ": " + err);
            assertTrue(err.toString().contains("no Kafka given: use --bootstrap-servers HOST:PORT"), name + ": " + err);
        }
        assertEquals(List.of("run", "produce", "consume", "export", "import", "delete"), seen);
    }

    private static List<CommandLine> commandsWithBootstrapServers(final CommandLine parent, final List<CommandLine> found) {
        for (final CommandLine sub : parent.getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--bootstrap-servers") != null && !found.contains(sub)) {
                found.add(sub);
            }
            commandsWithBootstrapServers(sub, found);
        }
        return found;
    }

    private static String oneLine(final String help) {
        return help.replaceAll("\\s+", " ");
    }
}
