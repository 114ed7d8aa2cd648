package io.kafkaolr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.kafkaolr.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The speed of {@code olr replay} on sparse files against a parse-only pass over the same file
 * ({@code olr replay --dry-run}: read, parse, map the labels, hash; no learning), both run through
 * the command itself, in this JVM. Generates a libsvm file and the same rows as VW once
 * ({@link SparseFileGenerator}), then, in each round, in this order: dry run and replay of the
 * libsvm file, dry run and replay of the VW file. A pass's rate is its rows over the wall time of
 * the command (start-up of the command, reading, the report). Medians over the rounds; every
 * round's figure is printed too, then each target beside its measured figure.
 *
 * <p>{@code java -Xmx1g -cp <test classpath> io.kafkaolr.bench.ReplaySpeed [rows] [rounds] [directory]}
 */
public final class ReplaySpeed {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TARGET_RATE = 300_000;
    private static final double TARGET_RATIO = 0.5;
    /**
     * Rows per second of the process's CPU time (every thread's: learning, the replay's parser,
     * garbage collection, the compiler), by pass, every round: what a pass costs, where the wall
     * time says how soon it ends.
     */
    private static final Map<String, List<Double>> CPU_RATES = new LinkedHashMap<>();

    private ReplaySpeed() {
    }

    public static void main(final String[] args) throws IOException {
        final int rows = args.length > 0 ? Integer.parseInt(args[0]) : SparseFileGenerator.DEFAULT_ROWS;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final Path dir = Path.of(args.length > 2 ? args[2] : "target/replay-speed");
        final Path svm = dir.resolve("sparse.svm");
        final Path vw = dir.resolve("sparse.vw");
        SparseFileGenerator.writeForBenchmark(svm, vw, rows);
        final Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (final Path file : List.of(svm, vw)) {
                final String format = format(file);
                rates.computeIfAbsent("dry run, " + format, k -> new ArrayList<>())
                        .add(pass(round, file, rows, "--dry-run"));
                rates.computeIfAbsent("replay, " + format, k -> new ArrayList<>()).add(pass(round, file, rows));
            }
        }
        System.out.println();
        System.out.println("| pass | rounds | median rows/s | every round |");
        System.out.println("|---|---:|---:|---|");
        final Map<String, Double> medians = new LinkedHashMap<>();
        rates.forEach((name, list) -> {
            medians.put(name, Median.of(list));
            System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %s |%n", name, list.size(), medians.get(name),
                    String.join(", ", list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList()));
        });
        System.out.println();
        System.out.println("The same passes over the process's CPU time, every thread's (what a busy machine's other work"
                + " does not take, and what the replay's two threads cost together):");
        System.out.println();
        System.out.println("| pass | median rows/s of CPU time | every round |");
        System.out.println("|---|---:|---|");
        final Map<String, Double> cpuMedians = new LinkedHashMap<>();
        CPU_RATES.forEach((name, list) -> {
            cpuMedians.put(name, Median.of(list));
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %s |%n", name, cpuMedians.get(name),
                    String.join(", ", list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList()));
        });
        System.out.println();
        System.out.println("| figure | measured | target | met |");
        System.out.println("|---|---:|---:|---|");
        for (final String format : List.of("libsvm", "vw")) {
            final double replay = medians.get("replay, " + format);
            final double ratio = replay / medians.get("dry run, " + format);
            System.out.printf(Locale.ROOT, "| replay, %s, rows/s | %,.0f | >= %,.0f | %s |%n", format, replay,
                    TARGET_RATE, replay >= TARGET_RATE ? "yes" : "no");
            System.out.printf(Locale.ROOT, "| replay / dry run, %s | %.2f | >= %.1f | %s |%n", format, ratio,
                    TARGET_RATIO, ratio >= TARGET_RATIO ? "yes" : "no");
            // what a row costs in CPU, both replay threads together: a figure, not a target
            System.out.printf(Locale.ROOT, "| replay, %s, rows per second of the process's CPU time (no target) | %,.0f"
                    + " | | |%n", format, cpuMedians.get("replay, " + format));
            System.out.printf(Locale.ROOT, "| replay / dry run over the process's CPU time, %s (no target) | %.2f | | |%n",
                    format, cpuMedians.get("replay, " + format) / cpuMedians.get("dry run, " + format));
        }
    }

    /** One {@code olr replay} of {@code file} with the default learner; its rows per second. */
    private static double pass(final int round, final Path file, final int rows, final String... more)
            throws IOException {
        final List<String> args = new ArrayList<>(List.of("replay", "--train", file.toString()));
        args.addAll(Arrays.asList(more));
        final StringWriter out = new StringWriter();
        final var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(Writer.nullWriter()));
        final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        final long cpuStart = os.getProcessCpuTime();
        final long start = System.nanoTime();
        final int code = cli.execute(args.toArray(String[]::new));
        final double seconds = (System.nanoTime() - start) / 1e9;
        final double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("olr " + String.join(" ", args) + " exited with " + code);
        }
        final JsonNode report = JSON.readTree(out.toString());
        final boolean dry = more.length > 0;
        final long counted = (dry ? report.at("/dry_run/rows") : report.at("/train/examples")).asLong();
        if (counted != rows) {
            throw new IllegalStateException("expected " + rows + " rows, the report says " + report);
        }
        final double rate = rows / seconds;
        CPU_RATES.computeIfAbsent((dry ? "dry run, " : "replay, ") + format(file), k -> new ArrayList<>())
                .add(rows / cpuSeconds);
        System.out.printf(Locale.ROOT, "round %d: %-9s %-6s %,10.0f rows/s (%.2f s; over the process's CPU time %,.0f rows/s)%s%n",
                round, dry ? "dry run" : "replay", file.getFileName(), rate, seconds, rows / cpuSeconds, dry ? ""
                        : String.format(Locale.ROOT, ", progressive accuracy %.4f, AUC %.4f",
                                report.at("/train/progressive_accuracy").asDouble(),
                                report.at("/train/progressive_auc").asDouble()));
        return rate;
    }

    private static String format(final Path file) {
        return file.getFileName().toString().endsWith(".vw") ? "vw" : "libsvm";
    }

}
