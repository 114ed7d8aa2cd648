package io.kafkaolr.bench;

import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * The speed of {@code olr produce} of a sparse libsvm file against Kafka's own producer
 * performance test ({@code kafka-producer-perf-test}, the {@link ProducerPerformance} class of
 * the same Kafka version), both in this JVM, into an embedded single-node KRaft broker.
 * Generates the libsvm file once ({@link SparseFileGenerator}), then in each round: {@code olr
 * produce} of the file as examples into a new one-partition topic, then the perf test sending as
 * many records, of the average size (key and value) of what {@code olr produce} sent, with the
 * producer settings {@code olr produce} uses (acks=all, idempotence, linger.ms=20, the default
 * batch size, no compression), into another new one-partition topic. The average size is
 * measured once, by reading back the first round's topic. Each topic is deleted after its pass,
 * so that the broker's disk holds one at a time.
 *
 * <p>A pass's rate is its records over the wall time of the call (the command, or the perf
 * test's {@code main}: producer start, sending, flush and close); the perf test's own figure
 * (first send to last acknowledgement) is printed beside it. Medians over the rounds.
 *
 * <p>{@code java -Xmx1g -cp <test classpath> io.kafkaolr.bench.ProduceSpeed [rows] [rounds] [directory]}
 */
public final class ProduceSpeed {
    private static final Pattern PERF_TOTAL = Pattern.compile("^(\\d+) records sent, ([0-9.]+) records/sec",
            Pattern.MULTILINE);
    /** What {@code olr produce}'s producer is given beyond the connection (see ProduceCommand.Sender). */
    private static final List<String> PRODUCER_SETTINGS = List.of("acks=all", "enable.idempotence=true",
            "linger.ms=20", "max.block.ms=30000");

    private ProduceSpeed() {
    }

    public static void main(final String[] args) throws Exception {
        final int rows = args.length > 0 ? Integer.parseInt(args[0]) : SparseFileGenerator.DEFAULT_ROWS;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final Path dir = Path.of(args.length > 2 ? args[2] : "target/produce-speed");
        final Path svm = dir.resolve("sparse.svm");
        SparseFileGenerator.writeForBenchmark(svm, null, rows);
        final Path brokerDir = Files.createTempDirectory("olr-produce-speed-");
        try (EmbeddedBroker broker = EmbeddedBroker.start(brokerDir, 0);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     broker.bootstrapServers()))) {
            final Map<String, List<Double>> rates = new LinkedHashMap<>();
            int recordSize = -1;
            for (int round = 1; round <= rounds; round++) {
                final String olrTopic = "produce-speed-olr-" + round;
                createTopic(admin, olrTopic);
                rates.computeIfAbsent("olr produce", k -> new ArrayList<>())
                        .add(olrProduce(round, broker.bootstrapServers(), olrTopic, svm, rows));
                if (recordSize < 0) {
                    final double average = averageRecordBytes(broker.bootstrapServers(), olrTopic, rows);
                    recordSize = (int) Math.round(average);
                    System.out.printf(Locale.ROOT, "olr produce sent records of %.1f bytes on average (key and "
                            + "Avro value): the perf test sends %d-byte values%n", average, recordSize);
                }
                deleteTopic(admin, olrTopic);
                final String perfTopic = "produce-speed-perf-" + round;
                createTopic(admin, perfTopic);
                final double[] perf = perfTest(round, broker.bootstrapServers(), perfTopic, rows, recordSize);
                rates.computeIfAbsent("kafka-producer-perf-test", k -> new ArrayList<>()).add(perf[0]);
                rates.computeIfAbsent("kafka-producer-perf-test, its own figure", k -> new ArrayList<>())
                        .add(perf[1]);
                deleteTopic(admin, perfTopic);
            }
            System.out.println();
            System.out.println("| pass | rounds | median records/s | every round |");
            System.out.println("|---|---:|---:|---|");
            final Map<String, Double> medians = new LinkedHashMap<>();
            rates.forEach((name, list) -> {
                medians.put(name, Median.of(list));
                System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %s |%n", name, list.size(), medians.get(name),
                        String.join(", ", list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList()));
            });
            System.out.printf(Locale.ROOT, "%nolr produce / kafka-producer-perf-test (wall time, medians): %.2f%n",
                    medians.get("olr produce") / medians.get("kafka-producer-perf-test"));
        } finally {
            deleteRecursively(brokerDir);
        }
    }

    /** One {@code olr produce} of {@code file} as examples into {@code topic}; its records per second. */
    private static double olrProduce(final int round, final String bootstrap, final String topic, final Path file,
                                     final int rows) {
        final List<String> args = List.of("produce", "-b", bootstrap, "--topic", topic, "--as", "examples",
                "--file", file.toString());
        final StringWriter out = new StringWriter();
        final var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(Writer.nullWriter()));
        final PrintStream stderr = System.err;
        final long start;
        final int code;
        final double seconds;
        // the progress bar writes to System.err; its text is not wanted here
        System.setErr(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            start = System.nanoTime();
            code = cli.execute(args.toArray(String[]::new));
            seconds = (System.nanoTime() - start) / 1e9;
        } finally {
            System.setErr(stderr);
        }
        if (code != 0 || !out.toString().startsWith("sent " + rows + " examples")) {
            throw new IllegalStateException("olr " + String.join(" ", args) + " exited with " + code + ": " + out);
        }
        final double rate = rows / seconds;
        System.out.printf(Locale.ROOT, "round %d: olr produce              %,10.0f records/s (%.2f s); it says: %s%n",
                round, rate, seconds, out.toString().strip());
        return rate;
    }

    /**
     * One run of Kafka's producer perf test: {@code rows} records of {@code size} bytes, unthrottled,
     * with {@code olr produce}'s producer settings; its rate over the wall time of the call, and the
     * rate it reports itself.
     */
    private static double[] perfTest(final int round, final String bootstrap, final String topic, final int rows,
                                     final int size) throws Exception {
        final List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--topic", topic,
                "--num-records", String.valueOf(rows), "--record-size", String.valueOf(size),
                "--throughput", "-1", "--command-property"));
        args.addAll(PRODUCER_SETTINGS);
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final long start;
        final double seconds;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            start = System.nanoTime();
            ProducerPerformance.main(args.toArray(String[]::new));
            seconds = (System.nanoTime() - start) / 1e9;
        } finally {
            System.setOut(stdout);
        }
        final String text = captured.toString(StandardCharsets.UTF_8);
        final Matcher total = PERF_TOTAL.matcher(text);
        String last = null;
        double own = Double.NaN;
        while (total.find()) {
            if (Long.parseLong(total.group(1)) == rows) {
                own = Double.parseDouble(total.group(2));
                last = text.substring(total.start(), text.indexOf('\n', total.start())).strip();
            }
        }
        if (last == null) {
            throw new IllegalStateException("kafka-producer-perf-test " + String.join(" ", args) + " said: " + text);
        }
        final double rate = rows / seconds;
        System.out.printf(Locale.ROOT, "round %d: kafka-producer-perf-test %,10.0f records/s (%.2f s); it says: %s%n",
                round, rate, seconds, last);
        return new double[] {rate, own};
    }

    /** Reads {@code topic} back: the mean of key plus value bytes over its {@code rows} records. */
    private static double averageRecordBytes(final String bootstrap, final String topic, final int rows) {
        final TopicPartition partition = new TopicPartition(topic, 0);
        long bytes = 0;
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (count < rows) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + count + " of " + rows + " records of " + topic);
                }
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    bytes += (record.key() == null ? 0 : record.key().length) + record.value().length;
                    count++;
                }
            }
        }
        return (double) bytes / count;
    }

    private static void createTopic(final Admin admin, final String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static void deleteTopic(final Admin admin, final String name) throws Exception {
        admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
    }

    private static void deleteRecursively(final Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
