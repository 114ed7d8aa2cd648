package io.kafkaolr.cli;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.broker.EmbeddedBroker;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.kafka.Consumers;
import io.kafkaolr.kafka.Topics;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.offline.LearningCurve;
import io.kafkaolr.offline.RecordFiles;
import io.kafkaolr.offline.Replay;
import io.kafkaolr.offline.ShippedDatasets;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code olr demo}: the whole system in one command, on a real embedded broker, with a real
 * dataset: stream the training part as labeled examples, watch the progressive log loss the
 * processor commits, then stream the test part as events and evaluate the predictions.
 *
 * <p>This class runs the embedded broker and the processor, streams the rows and reads back
 * what the processor wrote, and checks the predictions against {@code olr replay}'s; the
 * learning curve's maths is {@link LearningCurve}'s, the outputs (console, CSV, PNG) are
 * {@link DemoReport}'s.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start an embedded Kafka broker and the processor, stream the shipped breast-cancer "
                + "training set (UCI, 456 rows) as labeled examples and its test set (113 rows) as events, "
                + "and report: the progressive log loss curve (PNG and CSV), test log loss, accuracy and ROC AUC, "
                + "and a few predictions. Takes about a minute."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the demo ran to its summary", "1:the demo failed (see the message)",
                "2:invalid options"})
public final class DemoCommand implements Callable<Integer> {
    private static final String MODEL_ID = "breast-cancer";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The recent mean of the learning curve covers at least this many of the latest examples. */
    private static final int WINDOW = 50;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "olr-demo",
            description = "where the plot and the curve go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the broker's and stores' directory (default: a new temporary one, deleted at the end "
                    + "unless --keep-running)")
    Path dataDir;

    @Option(names = "--stream-seconds", defaultValue = "25",
            description = "spread the training stream over about this many seconds (default: ${DEFAULT-VALUE})")
    double streamSeconds;

    @Option(names = "--keep-running", description = "leave the broker and processor running at the end, and say "
            + "how to connect with kcat; stop with Ctrl-C")
    boolean keepRunning;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "a setting for the processor, "
            + "e.g. --set olr.model.optimizer=ftrl")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        final PrintWriter say = spec.commandLine().getOut();
        final boolean temporary = dataDir == null;
        final Path data = temporary ? Files.createTempDirectory("olr-demo-") : dataDir;
        final CsvDataset train = ShippedDatasets.read(MODEL_ID + "/train.csv", null);
        final CsvDataset test = ShippedDatasets.read(MODEL_ID + "/test.csv", train.columns());

        final Map<String, String> demo = new LinkedHashMap<>();
        demo.put("olr.format", "json");
        demo.put("olr.data-dir", data.toString());
        demo.put("olr.topic.partitions", "1");
        // the default model settings: the normalised adaptive gradient on standardised features learns the raw,
        // unscaled features as they are
        demo.put("commit.interval.ms", "100");
        demo.put("olr.http.port", "0"); // the status page and /models, on any free loopback port
        demo.putAll(settings);
        say.println("kafka-olr demo: online logistic regression on " + train.rows().size()
                + " training rows of the UCI breast-cancer data, then " + test.rows().size() + " test events");
        say.flush();

        final EmbeddedBroker broker = EmbeddedBroker.start(data.resolve("broker"), 0);
        demo.put("bootstrap.servers", broker.bootstrapServers());
        final OlrConfig config = OlrConfig.defaults(demo);
        final TopologyConfig t = config.topologyConfig();
        say.println("embedded Kafka broker at " + broker.bootstrapServers());
        say.flush();
        OlrProcessor processor = null;
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()))) {
                Topics.ensure(admin, config);
            }
            processor = OlrProcessor.start(config, broker.bootstrapServers());
            if (!processor.awaitRunning(TIMEOUT)) {
                throw new IllegalStateException("the processor did not start within " + TIMEOUT);
            }
            final LearningCurve curve = streamTraining(config, broker, train);
            final DemoReport.Evaluation evaluation = scoreTest(config, broker, test);
            final DemoReport report = new DemoReport(out, say, spec.commandLine().getErr());
            report.learningCurve(curve);
            report.testSet(evaluation, sameAsReplay(config, train, test, evaluation.predictions()));
            if (keepRunning) {
                say.printf(Locale.ROOT, "%nThe broker and the processor keep running (Ctrl-C stops them). Try:%n"
                        + "  kcat -b %1$s -C -t %2$s -o beginning -e -X isolation.level=read_committed%n"
                        + "  echo '{\"id\":\"e1\",\"model_id\":\"%3$s\",\"numeric_features\":{\"mean_radius\":20,"
                        + "\"mean_area\":1200}}' | kcat -b %1$s -P -t %4$s -k e1%n"
                        + "  ./olr consume -b %1$s --format json --topic predictions%n",
                        broker.bootstrapServers(), t.predictionsTopic(), MODEL_ID, t.eventsTopic());
                processor.httpUri().ifPresent(uri -> say.printf(Locale.ROOT, "  open %1$s (the status page)%n"
                        + "  curl '%1$smodels/%2$s/weights?top=5'%n  curl %1$smetrics%n", uri, MODEL_ID));
                say.flush();
                final OlrProcessor running = processor;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    running.close();
                    broker.close();
                }));
                processor.awaitStop();
                return 0;
            }
        } finally {
            if (!keepRunning) {
                if (processor != null) {
                    processor.close();
                }
                broker.close();
                if (temporary) {
                    deleteRecursively(data);
                }
            }
        }
        return 0;
    }

    /**
     * Streams the training rows at a steady pace, {@code --stream-seconds} in all; returns the
     * learning curve of the model's headers as the processor commits them, read back from the
     * model topic until the model has learned every row.
     */
    private LearningCurve streamTraining(final OlrConfig config, final EmbeddedBroker broker, final CsvDataset train)
            throws Exception {
        final TopologyConfig t = config.topologyConfig();
        final RecordCodec<LabeledExample> codec = t.examples().codec();
        final LearningCurve curve = new LearningCurve(WINDOW);
        final double perRecordNanos = streamSeconds * 1e9 / train.rows().size();
        try (KafkaProducer<byte[], byte[]> producer = producer(broker);
             KafkaConsumer<byte[], byte[]> model = consumer(broker, t.modelTopic());
             ProgressBar bar = new ProgressBarBuilder().setTaskName("learning").setInitialMax(train.rows().size())
                     .setStyle(ProgressBarStyle.ASCII).setUnit(" examples", 1)
                     .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            final long start = System.nanoTime();
            int sent = 0;
            final long deadline = start + (long) (streamSeconds * 1e9) + TIMEOUT.toNanos();
            while (curve.lastVersion() < train.rows().size()) {
                // each row sent once its time has come: the stream is spread evenly, whatever the polls take
                while (sent < train.rows().size() && System.nanoTime() - start >= sent * perRecordNanos) {
                    final CsvDataset.Row row = train.rows().get(sent);
                    producer.send(new ProducerRecord<>(t.examplesTopic(), MODEL_ID.getBytes(StandardCharsets.UTF_8),
                            codec.encode(RecordFiles.example(MODEL_ID, "train:" + row.line(), row))));
                    sent++;
                }
                for (final ConsumerRecord<byte[], byte[]> r : model.poll(Duration.ofMillis(20))) {
                    if (!MODEL_ID.equals(ModelTopicFormat.headerModelId(r.key())) || r.value() == null) {
                        continue;
                    }
                    final ModelState header = ModelStateCodec.decodeHeader(r.value());
                    if (!curve.add(header.version(), header.metrics())) {
                        continue;
                    }
                    bar.stepTo(header.version());
                    bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f acc %.3f",
                            header.metrics().meanLogLoss(), header.metrics().accuracy()));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the model reached only " + curve.lastVersion() + " of "
                            + train.rows().size() + " examples in time");
                }
            }
        }
        return curve;
    }

    /** Sends the test rows as events and waits for the prediction of each. */
    private DemoReport.Evaluation scoreTest(final OlrConfig config, final EmbeddedBroker broker, final CsvDataset test)
            throws Exception {
        final TopologyConfig t = config.topologyConfig();
        final RecordCodec<Event> events = t.events().codec();
        final RecordCodec<Prediction> predictions = t.predictions().codec();
        final Map<String, String> labelById = new HashMap<>();
        final Map<String, Prediction> byId = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(broker);
             KafkaConsumer<byte[], byte[]> consumer = consumer(broker, t.predictionsTopic())) {
            for (final CsvDataset.Row row : test.rows()) {
                final String id = "test:" + row.line();
                labelById.put(id, row.label());
                producer.send(new ProducerRecord<>(t.eventsTopic(), id.getBytes(StandardCharsets.UTF_8),
                        events.encode(RecordFiles.event(MODEL_ID, id, row))));
            }
            producer.flush();
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (byId.size() < test.rows().size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + byId.size() + " of " + test.rows().size()
                            + " predictions arrived in time");
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    final Prediction p = predictions.decode(r.value());
                    byId.put(p.getEventId(), p);
                }
            }
        }
        final List<Prediction> ordered = new ArrayList<>();
        final List<String> labels = new ArrayList<>();
        for (final CsvDataset.Row row : test.rows()) {
            ordered.add(byId.get("test:" + row.line()));
            labels.add(row.label());
        }
        return new DemoReport.Evaluation(ordered, labels);
    }

    /**
     * Whether replay's in-process pass over the same rows predicts each test row's logit exactly
     * as the processor did: Kafka changed nothing.
     */
    private static boolean sameAsReplay(final OlrConfig config, final CsvDataset train, final CsvDataset test,
                                        final List<Prediction> predictions) {
        final Replay replay = new Replay(config.modelSettings(), config.topologyConfig().maxFeatures(),
                new PrintWriter(Writer.nullWriter()));
        replay.train(train);
        boolean same = true;
        for (int i = 0; i < predictions.size(); i++) {
            final ModelOutput expected = replay.predict(test.rows().get(i).features());
            same &= expected.logit() == predictions.get(i).getLogit();
        }
        return same;
    }

    private static KafkaProducer<byte[], byte[]> producer(final EmbeddedBroker broker) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final EmbeddedBroker broker, final String topic) {
        return Consumers.wholeTopic(Map.of("bootstrap.servers", broker.bootstrapServers()), topic, true);
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
