package io.kafkaolr.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's console blocks that need Kafka, run in order against one {@code olr run} (started
 * as the README starts it, so on the embedded KRaft broker it prints), each command's output
 * compared with the one shown. Then the examples and events the README shows in JSON are sent,
 * and each event is predicted; the dead-letter topic stays empty: no record the README gives a
 * user to type is refused.
 */
class ReadmeExamplesIT {
    @TempDir
    Path dir;

    @Test
    void everyConsoleBlockThatNeedsKafkaPrintsWhatItShows() throws Exception {
        if (!ReadmeShell.kcatInstalled()) {
            System.err.println("ReadmeExamplesIT: kcat is not installed: its commands are run with Kafka's Java "
                    + "clients, with the options the README gives them");
        }
        int run = 0;
        try (ReadmeShell shell = new ReadmeShell(dir)) {
            CheckedBlocks.writeFiles(shell);
            for (final Readme.Block block : Readme.blocks()) {
                if (block.checked() && CheckedBlocks.needsKafka(block)) {
                    CheckedBlocks.run(block, shell);
                    run++;
                }
            }
            assertTrue(shell.hasBroker(), "no olr run in the README's console blocks");
            // the records the README shows in JSON, typed as a user would (a model command is not sent:
            // the one shown deletes a model)
            final StringBuilder examples = new StringBuilder();
            final StringBuilder events = new StringBuilder();
            for (final String json : CheckedBlocks.jsonRecords()) {
                final SpecificRecordBase record = CheckedBlocks.decode(json);
                if (record instanceof LabeledExample) {
                    examples.append(json).append('\n');
                } else if (record instanceof Event) {
                    events.append(json).append('\n');
                }
            }
            shell.writeFile("readme-examples.jsonl", examples.toString());
            shell.writeFile("readme-events.jsonl", events.toString());
            for (final String topic : List.of("examples", "events")) {
                final ReadmeShell.Result sent = shell.execute("olr produce -b $B --topic " + topic
                        + " --file readme-" + topic + ".jsonl");
                assertEquals(0, sent.exitCode(), sent.printed());
            }
            final ReadmeShell.Result predictions = shell.execute("olr consume -b $B --topic predictions -e");
            assertEquals(events.toString().lines().count() + 1, predictions.printed().lines().count(),
                    "each event shown (and mail-1) predicted:\n" + predictions.printed());
            final ReadmeShell.Result deadLetters = shell.execute("olr consume -b $B --topic dead-letters -e");
            assertEquals(0, deadLetters.exitCode(), deadLetters.printed());
            assertEquals("", deadLetters.printed(), "a README example was refused");
        }
        assertTrue(run >= 3, "console blocks run: " + run);
    }
}
