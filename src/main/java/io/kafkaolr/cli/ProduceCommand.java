package io.kafkaolr.cli;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Outcome;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.kafka.KafkaUnavailableException;
import io.kafkaolr.kafka.TopicRole;
import io.kafkaolr.offline.JsonRecordReader;
import io.kafkaolr.offline.LabeledRow;
import io.kafkaolr.offline.LabeledRowReader;
import io.kafkaolr.offline.NumericLabels;
import io.kafkaolr.offline.RecordFiles;
import io.kafkaolr.offline.RowFormat;
import io.kafkaolr.offline.RowRejection;
import io.kafkaolr.offline.TooManyRejectionsException;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code olr produce}: sends a dataset file to a topic as labeled examples or events. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send a CSV, JSON-lines, libsvm or Vowpal Wabbit file to a topic, as labeled examples or as "
                + "events, in the configured record format (olr.format), with a progress bar and a final count and "
                + "rate.",
                "Examples are keyed by model id, events by event id (CSV, libsvm and VW rows without a tag get the "
                + "id <file>:<line>).",
                "JSON lines (.jsonl), libsvm (.svm, .libsvm) and VW (.vw) files, optionally gzip-compressed (.gz), "
                + "are read and sent one record at a time; a CSV file is read whole. A JSON line is a record in its "
                + "JSON form (as olr consume prints it), keyed by its model_id (examples) or id (events). libsvm and "
                + "VW labels are numbers: for a binary model (olr.model.type=binary) a label that "
                + "is one of the classes (olr.model.classes, default 0,1) is kept, otherwise -1 and 0 are sent as "
                + "the negative class and 1 and +1 as the positive class, and any other label is refused "
                + "(BAD_LABEL); for softmax the label's text, as written, is the class. VW importance is sent as "
                + "the example's importance.",
                "CSV columns are read as by olr replay: --numeric, --categorical, --ignore, --na and "
                + "--columns-file declare them, and a column read as categorical though most of its cells are "
                + "numbers is warned about on stderr."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every record was sent", "1:some lines could not be read (the rest were sent)",
                "2:invalid options", "3:Kafka could not be reached",
                "4:more lines refused than --max-rejected (the rows before were sent)"})
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions broker;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "examples, events, outcomes, or a topic name")
    String topic;

    @Option(names = "--file", required = true, paramLabel = "F.csv|F.jsonl[.gz]|F.svm[.gz]|F.vw[.gz]",
            description = "the records to send")
    Path file;

    @Option(names = "--input-format", paramLabel = "csv|jsonl|libsvm|vw",
            description = "the file's format (default: from its extension; .svm and .libsvm are libsvm, .vw is VW, "
                    + ".csv is CSV, .jsonl and anything else JSON lines; each but CSV also with .gz)")
    String inputFormat;

    @Option(names = "--max-rejected", paramLabel = "N",
            description = "JSON lines, libsvm and VW: stop (exit code 4) when more than N lines are refused; the "
                    + "records before are sent (default: no limit)")
    Long maxRejected;

    @Option(names = "--as", paramLabel = "examples|events|outcomes",
            description = "what the records are (default: from --topic when it is examples, events or outcomes; "
                    + "outcomes only from a JSON lines file, each keyed by its event_id)")
    String as;

    @Option(names = "--model-id", paramLabel = "ID",
            description = "CSV, libsvm and VW: the model the rows belong to (default: the file's parent "
                    + "directory name for train, test and events files, else the file's name without extension)")
    String modelId;

    @Mixin
    CsvColumnOptions csv;

    @Option(names = "--rate", paramLabel = "RECORDS/S", defaultValue = "0",
            description = "send at most this many records per second (default: as fast as possible)")
    double rate;

    /** Refused lines of a JSON lines, libsvm or VW file printed one by one; later ones are only counted. */
    private static final int SHOWN_REJECTIONS = 20;

    private long startNanos = System.nanoTime();

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        // options that cannot work are refused before Kafka is asked anything
        final RowFormat rowFormat;
        try {
            rowFormat = rowFormat();
            csv.refuseFor(rowFormat != null ? file : null);
            if (rowFormat == null) {
                csv.schema(); // declarations that contradict themselves, or a columns file that cannot be read
            }
        } catch (final IllegalArgumentException | IOException e) {
            err.println("olr produce: " + e.getMessage());
            return 2;
        }
        final OlrConfig config = broker.loadWithCluster();
        final TopologyConfig t = config.topologyConfig();
        final TopicRole role = TopicRole.of(topic, t);
        final String kind = as != null ? as.toLowerCase(Locale.ROOT)
                : role == TopicRole.EXAMPLES ? "examples" : role == TopicRole.EVENTS ? "events"
                : role == TopicRole.OUTCOMES ? "outcomes" : null;
        if ("outcomes".equals(kind)) {
            if (rowFormat != RowFormat.JSONL) {
                err.println("olr produce: outcomes are read from a JSON lines file only");
                return 2;
            }
            return produceOutcomes(config);
        }
        if (!"examples".equals(kind) && !"events".equals(kind)) {
            err.println("olr produce: say what the records are with --as examples|events|outcomes");
            return 2;
        }
        final boolean examples = kind.equals("examples");
        final String model = modelId != null ? modelId : defaultModelId(file);
        if (maxRejected != null && maxRejected < 0) {
            err.println("olr produce: --max-rejected must be at least 0");
            return 2;
        }
        if (rowFormat != null) {
            return produceStream(config, rowFormat, examples, model);
        }
        final List<RecordFiles.Keyed> records = RecordFiles.readCsv(csv.reader(err), file, examples, model);
        final long sent;
        try (Sender sender = new Sender(config, records.size())) {
            for (final RecordFiles.Keyed keyed : records) {
                if (!sender.send(keyed.key(), sender.encode(keyed))) {
                    break;
                }
            }
            sent = sender.finish();
        }
        printSent(sent, kind, config, 0);
        return 0;
    }

    /** The line format of a libsvm, VW or JSON lines file, or null for a CSV file (read whole). */
    private RowFormat rowFormat() {
        if (inputFormat != null) {
            return switch (inputFormat.toLowerCase(Locale.ROOT)) {
                case "csv" -> null;
                case "jsonl", "json" -> RowFormat.JSONL;
                case "libsvm", "svm", "svmlight" -> RowFormat.LIBSVM;
                case "vw" -> RowFormat.VW;
                default -> throw new IllegalArgumentException("unknown --input-format '" + inputFormat
                        + "' (csv, jsonl, libsvm, vw)");
            };
        }
        if (RowFormat.isGzip(file)) {
            return RowFormat.of(file);
        }
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return null;
        }
        if (name.endsWith(".svm") || name.endsWith(".libsvm") || name.endsWith(".vw")) {
            return RowFormat.of(file);
        }
        return RowFormat.JSONL;
    }

    /**
     * Sends a libsvm, VW or JSON lines file one record at a time: each line is read, checked,
     * (for libsvm and VW) mapped, encoded and handed to the producer (which batches) before the
     * next is read, so memory does not grow with the file.
     */
    private int produceStream(final OlrConfig config, final RowFormat format, final boolean examples,
                              final String model) throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        final Map<RowRejection.Reason, Long> refused = new EnumMap<>(RowRejection.Reason.class);
        final long[] shown = {0};
        final Consumer<RowRejection> report = rejection -> {
            refused.merge(rejection.reason(), 1L, Long::sum);
            if (shown[0] < SHOWN_REJECTIONS) {
                err.println(file + " line " + rejection.line() + ": " + rejection.reason() + ": "
                        + rejection.detail());
            } else if (shown[0] == SHOWN_REJECTIONS) {
                err.println(file + ": more lines refused; they are counted below, not shown");
            }
            shown[0]++;
        };
        final long limit = maxRejected != null ? maxRejected : Long.MAX_VALUE;
        final LabeledRowReader.Limits limits = new LabeledRowReader.Limits(
                LabeledRowReader.Limits.DEFAULT.maxLineBytes(), limit);
        RowRejection stoppedAt;
        final long sent;
        try (Closeable reader = format == RowFormat.JSONL ? JsonRecordReader.open(file, examples, limits, report)
                : LabeledRowReader.open(file, format, limits, report);
             Sender sender = new Sender(config, -1)) {
            try {
                stoppedAt = reader instanceof JsonRecordReader json ? sendRecords(json, sender)
                        : sendRows((LabeledRowReader) reader, sender, examples, model, report, refused, limit);
            } catch (final TooManyRejectionsException e) {
                stoppedAt = e.last();
            }
            sent = sender.finish();
        }
        final long refusedLines = total(refused);
        printSent(sent, examples ? "examples" : "events", config, refusedLines);
        if (refusedLines > 0) {
            err.println(file + ": lines refused by reason: " + refused.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        }
        if (stoppedAt != null) {
            err.println("olr produce: stopped at line " + stoppedAt.line() + ": more than " + limit
                    + " lines refused (--max-rejected); the " + sent + " rows before it were sent");
            err.flush();
            return 4;
        }
        err.flush();
        return refusedLines == 0 ? 0 : 1;
    }

    /**
     * Sends a JSON lines file of outcomes ({@code {"event_id": ..., "label": ...}}), each keyed by
     * its event id, one line at a time; a line that is not an outcome is refused with its line
     * number and reason, and the others are sent.
     */
    private int produceOutcomes(final OlrConfig config) throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        final RecordCodec<Outcome> codec = config.topologyConfig().outcomes().codec();
        long refused = 0;
        long line = 0;
        final long limit = maxRejected != null ? maxRejected : Long.MAX_VALUE;
        final long sent;
        try (java.io.InputStream raw = java.nio.file.Files.newInputStream(file);
             java.io.InputStream in = RowFormat.isGzip(file) ? new java.util.zip.GZIPInputStream(raw) : raw;
             java.io.BufferedReader reader = new java.io.BufferedReader(
                     new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
             Sender sender = new Sender(config, -1)) {
            for (String text; (text = reader.readLine()) != null; ) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                final Outcome outcome;
                try {
                    outcome = codec.decode(text.getBytes(StandardCharsets.UTF_8));
                } catch (final io.kafkaolr.core.RejectedInputException e) {
                    refused++;
                    if (refused <= SHOWN_REJECTIONS) {
                        err.println(file + " line " + line + ": " + e.reason() + ": " + e.getMessage());
                    }
                    if (refused > limit) {
                        break;
                    }
                    continue;
                }
                if (!sender.send(outcome.getEventId(), codec.encode(outcome))) {
                    break;
                }
            }
            sent = sender.finish();
        }
        printSent(sent, "outcomes", config, refused);
        err.flush();
        return refused > limit ? 4 : refused == 0 ? 0 : 1;
    }

    /** Sends the records of a JSON lines file as they are read; always null (the reader stops). */
    private static RowRejection sendRecords(final JsonRecordReader reader, final Sender sender) throws IOException,
            InterruptedException {
        for (RecordFiles.Keyed keyed; (keyed = reader.next()) != null; ) {
            if (!sender.send(keyed.key(), sender.encode(keyed))) {
                break;
            }
        }
        return null;
    }

    /**
     * Sends the rows of a libsvm or VW file as they are read, their labels mapped; the refusal of
     * a label that went over {@code limit}, or null.
     */
    private RowRejection sendRows(final LabeledRowReader reader, final Sender sender, final boolean examples,
                                  final String model, final Consumer<RowRejection> report,
                                  final Map<RowRejection.Reason, Long> refused, final long limit)
            throws IOException, InterruptedException {
        final ModelSettings settings = sender.settings;
        final List<String> binaryClasses = settings.type() == ModelType.BINARY ? settings.initialClasses() : null;
        final String stem = stem(file);
        for (LabeledRow row; (row = reader.next()) != null; ) {
            final String id = row.id() != null ? row.id() : stem + ":" + row.line();
            final byte[] value;
            final String key;
            if (examples) {
                final String label = binaryClasses != null
                        ? NumericLabels.binary(row.label(), binaryClasses) : row.label();
                if (label == null) {
                    final RowRejection rejection = new RowRejection(row.line(), RowRejection.Reason.BAD_LABEL,
                            "label " + row.label() + " is not a class of the binary model " + binaryClasses
                                    + " nor -1, 0, 1 or +1");
                    report.accept(rejection);
                    if (total(refused) > limit) {
                        return rejection;
                    }
                    continue;
                }
                key = model;
                value = sender.exampleCodec.encode(RecordFiles.example(model, id, row, label));
            } else {
                key = id;
                value = sender.eventCodec.encode(RecordFiles.event(model, id, row));
            }
            if (!sender.send(key, value)) {
                break;
            }
        }
        return null;
    }

    private static long total(final Map<RowRejection.Reason, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private void printSent(final long sent, final String kind, final OlrConfig config, final long refused) {
        final double seconds = (System.nanoTime() - startNanos) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "sent %d %s to %s in %.2f s (%.0f records/s)%s%n", sent, kind,
                TopicRole.topicName(topic, config.topologyConfig()), seconds, sent / Math.max(seconds, 1e-9),
                refused == 0 ? "" : "; " + refused + " lines refused");
        spec.commandLine().getOut().flush();
    }

    /**
     * A producer and a progress bar: records are handed to the producer, which batches them
     * (linger 20 ms), paced at {@link #rate}; the first failure stops the sending.
     */
    private final class Sender implements AutoCloseable {
        final RecordCodec<LabeledExample> exampleCodec;
        final RecordCodec<Event> eventCodec;
        final ModelSettings settings;
        private final String topicName;
        private final KafkaProducer<byte[], byte[]> producer;
        private final ProgressBar bar;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final long start;
        private long sent;

        Sender(final OlrConfig config, final long total) {
            final TopologyConfig t = config.topologyConfig();
            this.topicName = TopicRole.topicName(topic, t);
            final RecordFormat format = t.format();
            this.exampleCodec = format.codec(LabeledExample.class);
            this.eventCodec = format.codec(Event.class);
            this.settings = config.modelSettings();
            final Map<String, Object> producerConfig = new HashMap<>(config.connection());
            producerConfig.putAll(Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                    ProducerConfig.LINGER_MS_CONFIG, "20",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000"));
            this.start = System.nanoTime();
            startNanos = start;
            this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
            this.bar = new ProgressBarBuilder().setTaskName("producing to " + topicName)
                    .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUnit(" records", 1)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .showSpeed().build();
        }

        /** A labeled example or an event in the topic's record format. */
        byte[] encode(final RecordFiles.Keyed keyed) {
            return keyed.record() instanceof LabeledExample example ? exampleCodec.encode(example)
                    : eventCodec.encode((Event) keyed.record());
        }

        /** Hands one record to the producer; false once a record has failed. */
        boolean send(final String key, final byte[] value) throws InterruptedException {
            producer.send(new ProducerRecord<>(topicName, key.getBytes(StandardCharsets.UTF_8), value),
                    (metadata, exception) -> {
                        if (exception != null) {
                            failure.compareAndSet(null, exception);
                        }
                    });
            sent++;
            bar.step();
            if (rate > 0) {
                pace(start, sent);
            }
            return failure.get() == null;
        }

        /** Waits for every record handed over; the number sent. */
        long finish() throws KafkaUnavailableException {
            producer.flush();
            if (failure.get() != null) {
                throw new KafkaUnavailableException("Kafka refused a record: " + failure.get().getMessage(),
                        failure.get());
            }
            return sent;
        }

        @Override
        public void close() {
            try {
                producer.close();
            } finally {
                bar.close();
            }
        }
    }

    /** Holds the send rate at {@link #rate}: waits until record {@code sent} is due. */
    private void pace(final long start, final long sent) throws InterruptedException {
        final long due = start + (long) (sent / rate * 1e9);
        final long wait = due - System.nanoTime();
        if (wait > 0) {
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** {@code datasets/breast-cancer/train.csv} belongs to model {@code breast-cancer}. */
    static String defaultModelId(final Path file) {
        final Path parent = file.toAbsolutePath().getParent();
        final String name = stem(file);
        if (parent != null && parent.getFileName() != null
                && (name.equals("train") || name.equals("test") || name.equals("events"))) {
            return parent.getFileName().toString();
        }
        return name;
    }

    /** The file's name without its extension, and without {@code .gz} before that: {@code train.svm.gz} is {@code train}. */
    static String stem(final Path file) {
        String name = file.getFileName().toString();
        if (RowFormat.isGzip(file)) {
            name = name.substring(0, name.length() - 3);
        }
        return name.replaceFirst("\\.[^.]*$", "");
    }
}
