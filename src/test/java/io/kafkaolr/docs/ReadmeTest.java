package io.kafkaolr.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.LabeledExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's examples that need no Kafka: its console blocks of {@code olr replay} and
 * {@code olr evaluate} run and print what they show; every record it gives in JSON is one the
 * processor reads; every command in it is run by a test or excluded with a reason
 * ({@link CheckedBlocks#NOT_RUN_HERE}). ReadmeExamplesIT runs the blocks that need Kafka.
 */
class ReadmeTest {
    @TempDir
    Path dir;

    @Test
    void consoleBlocksWithoutKafkaPrintWhatTheyShow() throws Exception {
        int run = 0;
        try (ReadmeShell shell = new ReadmeShell(dir)) {
            CheckedBlocks.writeFiles(shell);
            for (final Readme.Block block : Readme.blocks()) {
                if (block.checked() && !CheckedBlocks.needsKafka(block)) {
                    CheckedBlocks.run(block, shell);
                    run++;
                }
            }
        }
        assertTrue(run >= 3, "console blocks run: " + run);
    }

    @Test
    void everyCommandIsCheckedOrExcludedWithAReason() throws Exception {
        final List<String> unchecked = new ArrayList<>();
        for (final Readme.Block block : Readme.blocks()) {
            if (block.checked()) {
                Readme.steps(block); // well formed
                continue;
            }
            for (final String line : block.lines()) {
                final String command = line.replaceFirst("\\s+#.*", "").trim();
                if (CheckedBlocks.COMMAND.matcher(line).matches() && !CheckedBlocks.NOT_RUN_HERE.containsKey(command)
                        && !CheckedBlocks.NOT_RUN_HERE.containsKey(line)) {
                    unchecked.add("README.md:" + block.line() + ": " + line);
                }
            }
        }
        assertEquals(List.of(), unchecked, "commands neither in a console block nor excluded in CheckedBlocks");
    }

    @Test
    void everyJsonRecordTheReadmeShowsIsReadByTheProcessorsCodec() throws Exception {
        final List<String> records = CheckedBlocks.jsonRecords();
        assertTrue(records.size() >= 7, "records found: " + records);
        for (final String json : records) {
            final SpecificRecordBase record = CheckedBlocks.decode(json);
            assertNotNull(record, json);
            if (record instanceof LabeledExample example) {
                // a binary model of the default classes refuses any other label (ReadmeExamplesIT sends them)
                assertTrue(List.of("0", "1").contains(example.getLabel()), "label of " + json);
            }
        }
    }

    @Test
    void shownOutputLeavesOutWhatItMarksAndChecksTheRest() {
        assertNull(ShownOutput.mismatch("sent 456 examples in <n> s (<n> records/s)\n",
                "sent 456 examples in 4.24 s (108 records/s)\n"));
        assertNotNull(ShownOutput.mismatch("sent 456 examples\n", "sent 455 examples\n"));
        // rounded figures are checked to the decimals shown
        assertNull(ShownOutput.mismatch("{\"log_loss\":0.0824,\n \"auc\":0.9961}", "{\"log_loss\":0.08237025,\"auc\":0.99606}"));
        assertNotNull(ShownOutput.mismatch("{\"log_loss\":0.0824}", "{\"log_loss\":0.0826}"));
        assertNotNull(ShownOutput.mismatch("{\"log_loss\":0.0824}", "{\"log_loss\":0.08}"));
        // ... leaves out any text, across lines; an address is not a number
        assertNull(ShownOutput.mismatch("a\n...\nz at 127.0.0.1:<n>", "a\nb\nc\nz at 127.0.0.1:4242"));
        assertNotNull(ShownOutput.mismatch("a\nz", "a\nb\nz"));
        assertNotNull(ShownOutput.mismatch("key=mail-1 {\"a\":1}", "{\"a\":1}"));
    }

    @Test
    void consoleBlocksSplitIntoCommandsAndTheirOutputs() {
        final List<Readme.Block> blocks = Readme.blocks(List.of("<!-- file: a.svm -->", "```", "+1 1:2", "```",
                "```console", "$ olr replay --train a.svm \\", "    --max-rejected 1", "{\"train\":...}", "$ echo $?",
                "0", "```"));
        assertEquals("a.svm", blocks.get(0).fileName());
        assertEquals(List.of(new Readme.Step(6, "olr replay --train a.svm --max-rejected 1", "{\"train\":...}\n"),
                new Readme.Step(9, "echo $?", "0\n")), Readme.steps(blocks.get(1)));
        assertEquals(List.of("echo", "{\"a\": 1} x", "|", "kcat", "-b", "h:1"),
                ReadmeShell.words("echo '{\"a\": 1} x' | kcat -b h:1  # a comment"));
    }
}
