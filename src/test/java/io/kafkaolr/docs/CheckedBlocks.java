package io.kafkaolr.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.serde.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;

/** Runs README console blocks in a {@link ReadmeShell} and compares what each command printed with what is shown. */
final class CheckedBlocks {
    /**
     * README commands run by another test, or not at all, each with the reason. A fenced block
     * that is not a console block and holds a command must have each of its commands here.
     */
    static final Map<String, String> NOT_RUN_HERE = Map.of(
            "./olr demo", "a minute on an embedded broker of its own: CommandLineIT.demoRunsToItsSummaryAndPlot runs it "
                    + "(--stream-seconds 3: the same rows, in the same order) and compares its output with the console "
                    + "block that shows it",
            "mvn verify", "the build that runs these tests",
            "mvn -DskipTests package && docker compose up", "needs a Docker engine; the compose file is checked by "
                    + "DockerComposeFileTest",
            "KAFKA_HOST=my-host docker compose up", "needs a Docker engine",
            "echo '{\"model_id\":\"spam\",\"numeric_features\":{\"links\":7},\"label\":\"1\"}' \\",
            "the Docker set-up's broker at localhost:9092; the same record and kcat call are run in the console block "
                    + "of 'Running against Kafka' (and its JSON parsed by ReadmeTest)",
            "./olr consume -b localhost:9092 --topic predictions -e", "the Docker set-up's broker at localhost:9092; "
                    + "the same command is run against olr run's broker in a console block",
            "olr run --set olr.feedback.enabled=true --set olr.feedback.window=PT30M --set olr.feedback.default-label=0",
            "runs until stopped: FeedbackLoopIT runs a processor with these settings (a 5 s window)",
            "olr produce --topic outcomes --file outcomes.jsonl", "FeedbackLoopIT.outcomesProducedAndConsumedByTheCommandsCloseTheLoop",
            "olr consume --topic outcomes -e -K", "FeedbackLoopIT.outcomesProducedAndConsumedByTheCommandsCloseTheLoop",
            "curl -s localhost:8080/models/ads/calibration", "FeedbackLoopIT reads the table after one outcome joined and one event expired");

    private static final Pattern ECHOED_JSON = Pattern.compile("echo '(\\{[^']*\\})'");

    /** Lines of a fenced block that a user would copy and run. */
    static final Pattern COMMAND = Pattern.compile("^(\\$ )?(\\./olr|olr|kcat|curl|mvn|docker|echo|KAFKA_HOST=|B=)\\b.*");

    private CheckedBlocks() {
    }

    /** Whether a block's commands need a Kafka cluster (olr run's). */
    static boolean needsKafka(final Readme.Block block) {
        return Readme.steps(block).stream().anyMatch(s -> s.command().contains("$B")
                || s.command().matches("(\\./)?olr (run|produce|consume|model)\\b.*")
                || s.command().startsWith("kcat") || s.command().startsWith("curl"));
    }

    /** Runs the steps of {@code block} not run elsewhere, each compared with what it shows. */
    static void run(final Readme.Block block, final ReadmeShell shell) throws Exception {
        final List<Readme.Step> steps = Readme.steps(block);
        for (int i = 0; i < steps.size(); i++) {
            final Readme.Step step = steps.get(i);
            if (NOT_RUN_HERE.containsKey(step.command())) {
                continue;
            }
            final ReadmeShell.Result result = shell.execute(step.command());
            if (Boolean.getBoolean("readme.print")) { // to write a new example: -Dreadme.print=true
                System.out.println("README.md:" + step.line() + ": $ " + step.command() + "\n" + result.printed()
                        + "(exit code " + result.exitCode() + ")");
            }
            final boolean codeShownNext = i + 1 < steps.size() && steps.get(i + 1).command().equals("echo $?");
            if (!codeShownNext) {
                assertEquals(0, result.exitCode(), "README.md:" + step.line() + ": " + step.command() + "\n"
                        + result.printed());
            }
            final String mismatch = ShownOutput.mismatch(shell.withPorts(step.shownOutput()), result.printed());
            if (mismatch != null) {
                throw new AssertionError("README.md:" + step.line() + ": " + step.command() + "\n" + mismatch);
            }
        }
    }

    /** Every record the README gives in JSON: the lines of its json blocks, and what its commands echo. */
    static List<String> jsonRecords() throws IOException {
        final List<String> records = new ArrayList<>();
        final Matcher echoed = ECHOED_JSON.matcher(Files.readString(Readme.FILE));
        while (echoed.find()) {
            records.add(echoed.group(1));
        }
        for (final Readme.Block block : Readme.blocks()) {
            if (block.info().equals("json")) {
                block.lines().stream().filter(l -> !l.isBlank()).forEach(records::add);
            }
        }
        return records;
    }

    /** The record a JSON line is, told by its fields, decoded as the processor decodes it. */
    static SpecificRecordBase decode(final String json) {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (json.contains("\"event_id\"")) {
            return new JsonCodec<>(Prediction.class).decode(bytes);
        }
        if (json.contains("\"action\"")) {
            return new JsonCodec<>(ModelCommand.class).decode(bytes);
        }
        if (json.contains("\"reason\"")) {
            return new JsonCodec<>(DeadLetter.class).decode(bytes);
        }
        if (json.contains("\"label\"")) {
            return new JsonCodec<>(LabeledExample.class).decode(bytes);
        }
        return new JsonCodec<>(Event.class).decode(bytes);
    }

    /** Writes every file block of the README into the shell's directory. */
    static void writeFiles(final ReadmeShell shell) throws Exception {
        for (final Readme.Block block : Readme.blocks()) {
            if (block.fileName() != null) {
                shell.writeFile(block.fileName(), block.text());
            }
        }
    }
}
