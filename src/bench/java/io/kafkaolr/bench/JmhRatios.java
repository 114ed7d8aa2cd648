package io.kafkaolr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The targets on the numeric core, read from JMH's JSON result: {@code learn} of the default
 * learner and of SGD, and {@code predict}, each against the dense baseline, and the allocation
 * per operation of {@code learn} and {@code predict} (when JMH ran with {@code -prof gc}).
 *
 * <p>Benchmarks are recognised by their method names ("baseline", "learn", "predict") and the
 * learner by a parameter value or a method name ("sgd"; "ftrl" or "default"), so that the
 * benchmark class can change without this report: whatever it does not find is "n/a".
 */
final class JmhRatios {
    private static final double LEARN_DEFAULT_TARGET = 0.25;
    private static final double LEARN_SGD_TARGET = 0.5;
    private static final double PREDICT_TARGET = 0.5;

    private enum Kind { BASELINE, LEARN, PREDICT }

    private enum Learner { DEFAULT, SGD, UNNAMED }

    /** One benchmark result: ops/s, and bytes allocated per operation (NaN when not measured). */
    private record Result(Kind kind, Learner learner, String group, double opsPerSecond, double bytesPerOp) {
    }

    private JmhRatios() {
    }

    /** The JMH section of the report; says so when {@code json} is missing or unreadable. */
    static String report(final Path json) {
        if (!Files.isRegularFile(json)) {
            return "\nJMH: no " + json.getFileName() + " (the JMH part did not run): its ratios are not reported.\n";
        }
        final List<Result> results;
        final Instant written;
        try {
            written = Files.getLastModifiedTime(json).toInstant();
            results = parse(new ObjectMapper().readTree(json.toFile()));
        } catch (final IOException | RuntimeException e) {
            return "\nJMH: " + json.getFileName() + " could not be read (" + e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ").\n";
        }
        final Set<String> groups = new LinkedHashSet<>();
        results.forEach(r -> groups.add(r.group()));
        if (groups.isEmpty()) {
            groups.add("");
        }
        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%nJMH (%s, written %s):%n%n| JMH ratio | measured | target | met |%n"
                + "|---|---:|---:|---|%n", json.getFileName(), written));
        for (final String group : groups) {
            final String where = group.isEmpty() ? "" : group + ": ";
            md.append(ratio(where + "learn (default learner) / baseline",
                    ratio(results, group, Kind.LEARN, Learner.DEFAULT), LEARN_DEFAULT_TARGET));
            md.append(ratio(where + "learn (sgd) / baseline", ratio(results, group, Kind.LEARN, Learner.SGD),
                    LEARN_SGD_TARGET));
            if (find(results, group, Kind.LEARN, Learner.UNNAMED) != null) {
                md.append(ratio(where + "learn (learner not named) / baseline",
                        ratio(results, group, Kind.LEARN, Learner.UNNAMED), Double.NaN));
            }
            final List<Learner> predictors = results.stream()
                    .filter(r -> r.group().equals(group) && r.kind() == Kind.PREDICT).map(Result::learner)
                    .distinct().toList();
            if (predictors.isEmpty()) {
                md.append(ratio(where + "predict / baseline", Double.NaN, PREDICT_TARGET));
            }
            for (final Learner learner : predictors) {
                md.append(ratio(where + "predict" + named(learner) + " / baseline",
                        ratio(results, group, Kind.PREDICT, learner), PREDICT_TARGET));
            }
            for (final Learner learner : Learner.values()) {
                final Result learn = find(results, group, Kind.LEARN, learner);
                if (learn != null || learner != Learner.UNNAMED) {
                    md.append(allocation(where, "learn" + named(learner), learn));
                }
            }
            if (predictors.isEmpty()) {
                md.append(allocation(where, "predict", null));
            }
            for (final Learner learner : predictors) {
                md.append(allocation(where, "predict" + named(learner), find(results, group, Kind.PREDICT, learner)));
            }
        }
        return md.toString();
    }

    private static String named(final Learner learner) {
        return switch (learner) {
            case DEFAULT -> " (default learner)";
            case SGD -> " (sgd)";
            case UNNAMED -> "";
        };
    }

    private static String ratio(final String name, final double value, final double target) {
        final boolean reportOnly = Double.isNaN(target);
        return String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name, ThroughputHarness.number(value, "%.3f"),
                reportOnly ? "report only" : String.format(Locale.ROOT, ">= %.2f", target),
                reportOnly || Double.isNaN(value) ? "" : value >= target ? "yes" : "no");
    }

    private static String allocation(final String where, final String name, final Result result) {
        final double bytes = result == null ? Double.NaN : result.bytesPerOp();
        // JMH's normalised rate is never exactly 0: less than a byte per operation is no allocation per operation
        return String.format(Locale.ROOT, "| %sgc.alloc.rate.norm of %s, B/op | %s | = 0 | %s |%n", where, name,
                ThroughputHarness.number(bytes, "%.3f"), Double.isNaN(bytes) ? "" : bytes < 1 ? "yes" : "no");
    }

    private static double ratio(final List<Result> results, final String group, final Kind kind,
                                final Learner learner) {
        final Result measured = find(results, group, kind, learner);
        Result baseline = find(results, group, Kind.BASELINE, learner);
        if (baseline == null) {
            baseline = results.stream().filter(r -> r.group().equals(group) && r.kind() == Kind.BASELINE).findFirst()
                    .orElse(null);
        }
        return measured == null || baseline == null ? Double.NaN : measured.opsPerSecond() / baseline.opsPerSecond();
    }

    private static Result find(final List<Result> results, final String group, final Kind kind,
                               final Learner learner) {
        return results.stream().filter(r -> r.group().equals(group) && r.kind() == kind && r.learner() == learner)
                .findFirst().orElse(null);
    }

    private static List<Result> parse(final JsonNode root) {
        final List<Result> results = new ArrayList<>();
        for (final JsonNode entry : root) {
            final String benchmark = entry.path("benchmark").asText("");
            final String method = benchmark.substring(benchmark.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            final Kind kind = method.contains("baseline") || method.contains("dense") ? Kind.BASELINE
                    : method.contains("learn") ? Kind.LEARN
                    : method.contains("predict") ? Kind.PREDICT : null;
            if (kind == null) {
                continue;
            }
            Learner learner = learner(method);
            // the parameters other than the learner's say which results compare (e.g. the hash bits)
            final Map<String, String> group = new TreeMap<>();
            final Iterator<Map.Entry<String, JsonNode>> params = entry.path("params").fields();
            while (params.hasNext()) {
                final Map.Entry<String, JsonNode> param = params.next();
                final Learner named = learner(param.getValue().asText().toLowerCase(Locale.ROOT));
                if (named != Learner.UNNAMED) {
                    learner = named;
                } else {
                    group.put(param.getKey(), param.getValue().asText());
                }
            }
            final JsonNode primary = entry.path("primaryMetric");
            final double opsPerSecond = opsPerSecond(primary.path("score").asDouble(Double.NaN),
                    primary.path("scoreUnit").asText(""));
            double bytesPerOp = Double.NaN;
            final Iterator<Map.Entry<String, JsonNode>> secondary = entry.path("secondaryMetrics").fields();
            while (secondary.hasNext()) {
                final Map.Entry<String, JsonNode> metric = secondary.next();
                if (metric.getKey().endsWith("gc.alloc.rate.norm")) {
                    bytesPerOp = metric.getValue().path("score").asDouble(Double.NaN);
                }
            }
            results.add(new Result(kind, learner, String.join(", ", group.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList()), opsPerSecond, bytesPerOp));
        }
        return results;
    }

    private static Learner learner(final String text) {
        // averaged SGD ("asgd") is another learner
        if (text.startsWith("sgd") || (text.endsWith("sgd") && !text.endsWith("asgd"))) {
            return Learner.SGD;
        }
        if (text.contains("ftrl") || text.contains("default")) {
            return Learner.DEFAULT;
        }
        return Learner.UNNAMED;
    }

    /** JMH reports throughput (ops per unit) or time per operation (unit per op): both to ops/s. */
    private static double opsPerSecond(final double score, final String unit) {
        final String[] parts = unit.split("/");
        if (parts.length != 2) {
            return Double.NaN;
        }
        if (parts[0].equals("ops")) {
            return score / seconds(parts[1]);
        }
        if (parts[1].equals("op")) {
            return 1 / (score * seconds(parts[0]));
        }
        return Double.NaN;
    }

    private static double seconds(final String unit) {
        return switch (unit) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60;
            default -> Double.NaN;
        };
    }
}
