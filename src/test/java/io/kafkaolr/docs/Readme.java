package io.kafkaolr.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's fenced blocks, and the commands and shown outputs of its checked ones. The
 * convention is written at the top of README.md:
 * <ul>
 *   <li>a {@code ```console} block is checked: a line starting with {@code $ } is a command
 *       (a trailing {@code \} continues it on the next line), the lines up to the next command
 *       are its shown output, compared by {@link ShownOutput};</li>
 *   <li>a block right after the comment {@code <!-- file: NAME -->} is a file the commands after
 *       it use, written as NAME where they run;</li>
 *   <li>a {@code ```json} block holds records, one a line, each parsed by the JSON codec.</li>
 * </ul>
 */
public final class Readme {
    /** The README, from the project's directory (where Maven runs the tests). */
    public static final Path FILE = Path.of("README.md");
    private static final Pattern FILE_MARK = Pattern.compile("<!--\\s*file:\\s*(\\S+)\\s*-->");

    private Readme() {
    }

    /** A fenced block: its first line's number (1-based), its info string, its lines, its file name if marked. */
    public record Block(int line, String info, List<String> lines, String fileName) {
        /** Whether it is run by the tests. */
        public boolean checked() {
            return info.equals("console");
        }

        /** The block's text. */
        public String text() {
            return String.join("\n", lines) + "\n";
        }
    }

    /** A command of a console block with the output shown after it; {@code line} is where it starts. */
    public record Step(int line, String command, String shownOutput) {
    }

    /** Every fenced block of the README, in order. */
    public static List<Block> blocks() throws IOException {
        return blocks(Files.readAllLines(FILE));
    }

    static List<Block> blocks(final List<String> lines) {
        final List<Block> blocks = new ArrayList<>();
        String fileName = null;
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i);
            final Matcher mark = FILE_MARK.matcher(line);
            if (mark.matches()) {
                fileName = mark.group(1);
                continue;
            }
            if (!line.startsWith("```")) {
                if (!line.isBlank()) {
                    fileName = null; // a mark names the block right after it
                }
                continue;
            }
            final int start = i;
            final List<String> body = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                body.add(lines.get(i));
            }
            blocks.add(new Block(start + 1, line.substring(3).trim(), body, fileName));
            fileName = null;
        }
        return blocks;
    }

    /** The commands of a console block, each with its shown output. */
    public static List<Step> steps(final Block block) {
        final List<Step> steps = new ArrayList<>();
        final List<String> lines = block.lines();
        int i = 0;
        while (i < lines.size()) {
            final String line = lines.get(i);
            if (!line.startsWith("$ ")) {
                throw new IllegalArgumentException("README.md:" + (block.line() + 1 + i)
                        + ": a console block's lines are commands ($ ...) and their outputs: " + line);
            }
            final int start = block.line() + 1 + i;
            final StringBuilder command = new StringBuilder(line.substring(2));
            while (command.toString().endsWith("\\") && i + 1 < lines.size()) {
                command.setLength(command.length() - 1);
                command.replace(0, command.length(), command.toString().stripTrailing()).append(' ').append(lines.get(++i).trim());
            }
            final StringBuilder output = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("$ "); i++) {
                output.append(lines.get(i)).append('\n');
            }
            steps.add(new Step(start, command.toString().trim(), output.toString()));
        }
        return steps;
    }
}
