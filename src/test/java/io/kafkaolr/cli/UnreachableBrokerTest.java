package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.kafka.KafkaUnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that talks to a cluster says, within {@code olr.connect-timeout}, that the
 * cluster it was given does not answer (exit code 3), rather than stalling for its clients'
 * own timeouts (a producer waits a minute for metadata).
 */
class UnreachableBrokerTest {
    @TempDir
    Path dir;

    @Test
    void eachCommandFailsFastWithExitCode3AndSaysWhichKafkaDidNotAnswer() throws Exception {
        final int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free, and nothing listens on it once closed
        }
        final Path csv = Files.writeString(dir.resolve("train.csv"), "x,label\n1,1\n");
        final Path model = dir.resolve("model.json");
        assertEquals(0, Main.commandLine().setErr(new PrintWriter(new StringWriter()))
                .setOut(new PrintWriter(new StringWriter()))
                .execute("replay", "--train", csv.toString(), "--export-model", model.toString()));
        final List<List<String>> commands = List.of(
                List.of("run", "--data-dir", dir.resolve("data").toString()),
                List.of("produce", "--topic", "examples", "--file", csv.toString()),
                List.of("consume", "--topic", "predictions", "--max", "1"),
                List.of("model", "delete", "--model-id", "m"),
                List.of("model", "export", "--model-id", "m"),
                List.of("model", "import", model.toString(), "--model-id", "m"));
        for (final List<String> command : commands) {
            final List<String> args = new ArrayList<>(command);
            args.addAll(List.of("-b", "127.0.0.1:" + port, "--set", "olr.connect-timeout=1500"));
            final StringWriter err = new StringWriter();
            final var cli = Main.commandLine();
            cli.setOut(new PrintWriter(new StringWriter()));
            cli.setErr(new PrintWriter(err));
            final long start = System.nanoTime();
            final int code = cli.execute(args.toArray(String[]::new));
            final double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(KafkaUnavailableException.EXIT_CODE, code, command + ": " + err);
            assertTrue(err.toString().contains("Kafka at 127.0.0.1:" + port + " did not answer within 1500 ms"),
                    command + ": " + err);
            // the clients' own timeouts are 30 s and more: well under them, with room for a busy machine
            assertTrue(seconds < 15, command + " took " + seconds + " s");
        }
    }
}
