package io.kafkaolr.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs the commands of the README's console blocks as a shell would, in a scratch directory:
 * <ul>
 *   <li>{@code olr ...} (or {@code ./olr}) in this JVM, through {@link Main}, its standard output
 *       and error as one terminal shows them ({@code 2>/dev/null} drops the error); a file argument
 *       that exists in the project (the shipped datasets) is read there, any other is in the scratch
 *       directory, whose path is left out of what is printed;</li>
 *   <li>{@code olr run ...} in a JVM of its own, started in the scratch directory, left running
 *       while the next commands use it; a later {@code olr run} stops it with SIGTERM first.
 *       {@code $B} is the broker address it printed, and the HTTP port it was asked for
 *       ({@code --http-port 8080}) stands for the free port it is given instead;</li>
 *   <li>{@code echo '...' | kcat ...} and {@code kcat ...} with kcat when it is installed, else with
 *       a Kafka client doing what those options ask ({@code -P}/{@code -C}, {@code -t}, {@code -k},
 *       {@code -e}; values printed as kcat prints them);</li>
 *   <li>{@code curl -s URL}, {@code ... | head -N}, {@code ... | grep REGEX} (a Java regex) and
 *       {@code echo $?} (the last exit code).</li>
 * </ul>
 * A person types the next command seconds after the last; these run at once, so before each
 * command the shell waits until the processor has committed every example and event sent (its
 * consumer group's offsets reach the end of the examples and events topics) and scoring serves
 * every model at the version training committed, as its HTTP endpoint says (an {@code olr run}
 * not asked for one gets one on a free port, its line left out of what is printed).
 */
final class ReadmeShell implements AutoCloseable {
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap\\.servers=(\\S+)");
    private static final Pattern ENDPOINT = Pattern.compile("HTTP endpoint: http://[^:]+:(\\d+)/");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The defaults the README's {@code olr run} uses. */
    private static final String APPLICATION_ID = "kafka-olr";
    private static final List<String> INPUTS = List.of("olr-examples", "olr-events");

    /** What a command printed, and its exit code. */
    record Result(String printed, int exitCode) {
    }

    private final Path project = Path.of("").toAbsolutePath();
    private final Path scratch;
    private final Map<String, String> ports = new TreeMap<>();
    private String bootstrap;
    private String httpPort;
    private int lastExitCode;
    private Process run;
    private int runCount;

    ReadmeShell(final Path scratch) {
        this.scratch = scratch.toAbsolutePath();
    }

    /** The shown text with the HTTP port the README shows replaced by the one in use. */
    String withPorts(final String text) {
        String result = text;
        for (final Map.Entry<String, String> port : ports.entrySet()) {
            result = result.replace("127.0.0.1:" + port.getKey(), "127.0.0.1:" + port.getValue())
                    .replace("localhost:" + port.getKey(), "localhost:" + port.getValue());
        }
        return result;
    }

    /** Writes a file block where the commands run. */
    void writeFile(final String name, final String text) throws IOException {
        Files.writeString(scratch.resolve(name), text);
    }

    /** Whether {@code olr run} is up (the commands that need it have a broker). */
    boolean hasBroker() {
        return bootstrap != null;
    }

    /** Runs one command line of a console block (after the processor has caught up, when one runs). */
    Result execute(final String commandLine) throws Exception {
        String line = withPorts(commandLine);
        if (line.contains("$B")) {
            if (bootstrap == null) {
                throw new AssertionError("$B before any olr run: " + commandLine);
            }
            line = line.replace("$B", bootstrap);
        }
        final List<List<String>> pipeline = pipeline(words(line));
        if (run != null) {
            awaitProcessorCaughtUp();
        }
        String input = null;
        Result result = null;
        for (final List<String> command : pipeline) {
            result = single(command, input);
            input = result.printed();
        }
        lastExitCode = result.exitCode();
        return result;
    }

    private Result single(final List<String> words, final String input) throws Exception {
        final String program = words.get(0);
        final List<String> args = words.subList(1, words.size());
        switch (program) {
            case "echo":
                return new Result(args.equals(List.of("$?")) ? lastExitCode + "\n" : String.join(" ", args) + "\n", 0);
            case "head":
                final int n = Integer.parseInt(args.get(args.size() - 1).replace("-", ""));
                return new Result(input.lines().limit(n).map(l -> l + "\n").reduce("", String::concat), 0);
            case "grep":
                final Pattern pattern = Pattern.compile(args.get(args.size() - 1));
                final String found = input.lines().filter(l -> pattern.matcher(l).find()).map(l -> l + "\n")
                        .reduce("", String::concat);
                return new Result(found, found.isEmpty() ? 1 : 0);
            case "curl":
                final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
                        args.get(args.size() - 1).replaceFirst("^localhost", "http://127.0.0.1")
                                .replaceFirst("^(?!http)", "http://"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                return new Result(response.body(), response.statusCode() < 400 ? 0 : 22);
            case "kcat":
                return kcat(args, input);
            case "olr":
            case "./olr":
                return args.get(0).equals("run") ? startRun(args) : olr(args);
            default:
                throw new AssertionError("a command the README checks cannot run: " + words
                        + " (see ReadmeShell for what it runs)");
        }
    }

    private Result olr(final List<String> words) {
        final List<String> args = new ArrayList<>(words);
        final boolean dropErr = args.remove("2>/dev/null");
        for (int i = 0; i < args.size(); i++) {
            args.set(i, path(args.get(i)));
        }
        final StringWriter terminal = new StringWriter();
        final PrintWriter both = new PrintWriter(terminal, true);
        final int code = Main.commandLine().setOut(both)
                .setErr(dropErr ? new PrintWriter(new StringWriter()) : both)
                .execute(args.toArray(String[]::new));
        both.flush();
        return new Result(terminal.toString().replace(scratch + "/", "").replace(project + "/", ""), code);
    }

    /** A file argument: in the project if it is there (a shipped dataset), else in the scratch directory. */
    private String path(final String arg) {
        if (arg.startsWith("-") || arg.contains(":") || !(arg.contains("/") || arg.matches(".+\\.[a-z]+"))) {
            return arg;
        }
        return Files.exists(project.resolve(arg)) ? project.resolve(arg).toString() : scratch.resolve(arg).toString();
    }

    private Result startRun(final List<String> args) throws Exception {
        stopRun();
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        String shownPort = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--http-port")) {
                shownPort = args.get(++i);
                command.addAll(List.of("--http-port", "0"));
            } else {
                command.add(args.get(i));
            }
        }
        if (shownPort == null) {
            // to see when scoring serves what training learned; its line is left out of what is shown
            command.addAll(List.of("--http-port", "0"));
        }
        final Path out = scratch.resolve("olr-run-" + ++runCount + ".out");
        run = new ProcessBuilder(command).directory(scratch.toFile()).redirectOutput(out.toFile())
                .redirectError(scratch.resolve("olr-run-" + runCount + ".log").toFile()).start();
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!started(Files.readString(out))) {
            if (!run.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("olr run did not start: " + Files.readString(out)
                        + Files.readString(scratch.resolve("olr-run-" + runCount + ".log")));
            }
            run.waitFor(100, TimeUnit.MILLISECONDS);
        }
        final String printed = Files.readString(out);
        final Matcher b = BOOTSTRAP.matcher(printed);
        if (b.find()) {
            bootstrap = b.group(1);
        }
        final Matcher endpoint = ENDPOINT.matcher(printed);
        endpoint.find();
        httpPort = endpoint.group(1);
        if (shownPort != null) {
            ports.put(shownPort, httpPort);
            return new Result(printed.replace(scratch + "/", ""), 0);
        }
        return new Result(printed.replace(scratch + "/", "").replaceAll("HTTP endpoint: .*\\n", ""), 0);
    }

    private static boolean started(final String printed) {
        return printed.contains("processor started") && ENDPOINT.matcher(printed).find();
    }

    private void awaitProcessorCaughtUp() throws Exception {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        final Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(props)) {
            String state = "";
            while (true) {
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                        .partitionsToOffsetAndMetadata().get();
                final Map<TopicPartition, OffsetSpec> inputs = new HashMap<>();
                for (final var topic : admin.describeTopics(INPUTS).allTopicNames().get().values()) {
                    for (final var partition : topic.partitions()) {
                        inputs.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
                    }
                }
                final var ends = admin.listOffsets(inputs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all().get();
                final boolean learned = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue().offset());
                state = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/models")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                boolean served = true;
                for (final JsonNode model : JSON.readTree(state).path("models")) {
                    served &= model.path("served_version").asLong() == model.path("version").asLong();
                }
                if (learned && served) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the processor has not caught up: committed " + committed + ", end "
                            + ends + ", models " + state);
                }
                run.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void stopRun() throws InterruptedException {
        if (run != null) {
            run.destroy(); // SIGTERM
            if (!run.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                run.destroyForcibly();
                throw new AssertionError("olr run did not stop on SIGTERM");
            }
            if (run.exitValue() != 143) {
                throw new AssertionError("olr run stopped by SIGTERM exited with " + run.exitValue());
            }
            run = null;
        }
    }

    private Result kcat(final List<String> args, final String input) throws Exception {
        if (kcatInstalled()) {
            final Process kcat = new ProcessBuilder(prepend("kcat", args)).redirectErrorStream(true).start();
            if (input != null) {
                kcat.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            kcat.getOutputStream().close();
            final String printed = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kcat.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kcat.destroyForcibly();
                throw new AssertionError("kcat did not end: " + args);
            }
            return new Result(printed.replaceAll("(?m)^% .*\\n", ""), kcat.exitValue());
        }
        return kcatWithJavaClients(args, input);
    }

    /** Whether kcat is on the PATH (-Dreadme.without-kcat=true runs the Java clients in its place). */
    static boolean kcatInstalled() {
        if (Boolean.getBoolean("readme.without-kcat")) {
            return false;
        }
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kcat"))) {
                return true;
            }
        }
        return false;
    }

    /** What kcat does with the options the README uses, for machines without kcat. */
    private Result kcatWithJavaClients(final List<String> args, final String input) {
        final String topic = args.get(args.indexOf("-t") + 1);
        final Properties props = new Properties();
        props.put("bootstrap.servers", args.get(args.indexOf("-b") + 1));
        if (args.contains("-P")) {
            final String key = args.contains("-k") ? args.get(args.indexOf("-k") + 1) : null;
            // the Java client's default partitioner is murmur2, what -X topic.partitioner=murmur2_random asks for
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new StringSerializer())) {
                for (final String value : input.lines().toList()) {
                    producer.send(new ProducerRecord<>(topic, key, value));
                }
            }
            return new Result("", 0);
        }
        if (!args.contains("-C") || !args.contains("-e")) {
            throw new AssertionError("without kcat, only -P and -C -e can be run: " + args);
        }
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, args.contains("isolation.level=read_committed")
                ? "read_committed" : "read_uncommitted");
        final StringBuilder printed = new StringBuilder();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not at the end of " + topic + " in time");
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    printed.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
                }
            }
        }
        return new Result(printed.toString(), 0);
    }

    @Override
    public void close() {
        try {
            stopRun();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            run.destroyForcibly();
        }
    }

    private static List<String> prepend(final String first, final List<String> rest) {
        final List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** The words of a command line, as a shell splits them: quotes kept together, {@code #} starts a comment. */
    static List<String> words(final String line) {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            final char c = line.charAt(i);
            if (c == '\'' || c == '"') {
                final int close = line.indexOf(c, i + 1);
                word.append(line, i + 1, close);
                i = close;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '|' && !inWord) {
                words.add("|");
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static List<List<String>> pipeline(final List<String> words) {
        final List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (final String w : words) {
            if (w.equals("|")) {
                commands.add(current);
                current = new ArrayList<>();
            } else {
                current.add(w);
            }
        }
        commands.add(current);
        return commands;
    }
}
