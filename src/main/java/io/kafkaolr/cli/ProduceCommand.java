package io.kafkaolr.cli;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.KafkaUnavailableException;
import io.kafkaolr.kafka.TopicRole;
import io.kafkaolr.offline.RecordFiles;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
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
        description = {"Send a CSV or JSON-lines file to a topic, as labeled examples or as events, in the "
                + "configured record format (olr.format), with a progress bar and a final count and rate.",
                "Examples are keyed by model id, events by event id (CSV events get the id <file>:<line>)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every record was sent", "1:some lines could not be read (the rest were sent)",
                "2:invalid options", "3:Kafka could not be reached"})
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "examples, events, or a topic name")
    String topic;

    @Option(names = "--file", required = true, paramLabel = "F.csv|F.jsonl", description = "the records to send")
    Path file;

    @Option(names = "--as", paramLabel = "examples|events",
            description = "what the records are (default: from --topic when it is examples or events)")
    String as;

    @Option(names = "--model-id", paramLabel = "ID",
            description = "CSV only: the model the rows belong to (default: the file's parent directory name, "
                    + "or its name)")
    String modelId;

    @Option(names = "--label-column", defaultValue = "label", description = "CSV only (default: ${DEFAULT-VALUE})")
    String labelColumn;

    @Option(names = "--rate", paramLabel = "RECORDS/S", defaultValue = "0",
            description = "send at most this many records per second (default: as fast as possible)")
    double rate;

    @Override
    public Integer call() throws Exception {
        final OlrConfig config = broker.loadWithCluster();
        final PrintWriter err = spec.commandLine().getErr();
        final TopologyConfig t = config.topologyConfig();
        final TopicRole role = TopicRole.of(topic, t);
        final String kind = as != null ? as.toLowerCase(Locale.ROOT)
                : role == TopicRole.EXAMPLES ? "examples" : role == TopicRole.EVENTS ? "events" : null;
        if (!"examples".equals(kind) && !"events".equals(kind)) {
            err.println("olr produce: say what the records are with --as examples|events");
            return 2;
        }
        final boolean examples = kind.equals("examples");
        final String model = modelId != null ? modelId : defaultModelId(file);
        final RecordFiles.Result read = RecordFiles.read(file, examples, model, labelColumn);
        read.refused().forEach(err::println);
        final String topicName = TopicRole.topicName(topic, t);
        final RecordFormat format = t.format();
        final RecordCodec<LabeledExample> exampleCodec = format.codec(LabeledExample.class);
        final RecordCodec<Event> eventCodec = format.codec(Event.class);

        final Map<String, Object> producerConfig = new HashMap<>(config.connection());
        producerConfig.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000"));
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final long start = System.nanoTime();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                new ByteArraySerializer());
             ProgressBar bar = new ProgressBarBuilder().setTaskName("producing to " + topicName)
                     .setInitialMax(read.records().size()).setStyle(ProgressBarStyle.ASCII).setUnit(" records", 1)
                     .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                     .showSpeed().build()) {
            for (final RecordFiles.Keyed keyed : read.records()) {
                final byte[] value = examples ? exampleCodec.encode((LabeledExample) keyed.record())
                        : eventCodec.encode((Event) keyed.record());
                producer.send(new ProducerRecord<>(topicName, keyed.key().getBytes(StandardCharsets.UTF_8), value),
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
                if (failure.get() != null) {
                    break;
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new KafkaUnavailableException("Kafka refused a record: " + failure.get().getMessage(), failure.get());
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "sent %d %s to %s in %.2f s (%.0f records/s)%s%n", sent, kind,
                topicName, seconds, sent / Math.max(seconds, 1e-9),
                read.refused().isEmpty() ? "" : "; " + read.refused().size() + " lines refused");
        spec.commandLine().getOut().flush();
        return read.refused().isEmpty() ? 0 : 1;
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
        final String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        if (parent != null && parent.getFileName() != null
                && (name.equals("train") || name.equals("test") || name.equals("events"))) {
            return parent.getFileName().toString();
        }
        return name;
    }
}
