package io.kafkaolr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.kafka.Consumers;
import io.kafkaolr.kafka.TopicRole;
import io.kafkaolr.serde.JsonCodec;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.Utf8Text;
import io.kafkaolr.topology.TopologyConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code olr consume}: prints a topic's records as JSON lines. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Print a topic's records as JSON lines, decoded from the configured format: predictions, "
                + "dead letters, examples, events, metrics, model commands, or the model topic's entries.",
                "Reads committed records only (read_committed), from every partition, without a consumer group: "
                        + "from the oldest record (or --from-end), following new ones until interrupted (or -e)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (end of the topic with -e, --max reached, idle timeout, or interrupted)",
                "2:invalid options, or no such topic", "3:Kafka could not be reached"})
public final class ConsumeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions broker;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "predictions, dead-letters, examples, events, metrics, control, model, or a topic name")
    String topic;

    @Option(names = "--from-end", description = "start at the end: only records written from now on (default: from "
            + "the oldest record)")
    boolean fromEnd;

    // the default since reading from the oldest record became it; kept so that scripts that give it still run
    @Option(names = "--from-beginning", hidden = true)
    boolean fromBeginning;

    @Option(names = {"-e", "--exit-at-end"}, description = "stop at the end of the topic as it was when the command "
            + "started (as kcat -e does)")
    boolean exitAtEnd;

    @Option(names = "--follow", description = "keep reading new records until interrupted (the default without -e)")
    boolean follow;

    @Option(names = {"-K", "--print-key"}, description = "print each record as {\"key\": ..., \"value\": ...}; a key "
            + "that is not UTF-8 text (the model topic's) is given as \"key_hex\"")
    boolean printKey;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "stop after N records")
    long max;

    @Option(names = "--idle-timeout", paramLabel = "MS", defaultValue = "0",
            description = "stop when nothing arrives for MS milliseconds (default: run until interrupted)")
    long idleTimeoutMs;

    @Override
    public Integer call() throws Exception {
        if (exitAtEnd && follow) {
            throw new ParameterException(spec.commandLine(), "-e (stop at the end) and --follow contradict each other");
        }
        if (fromEnd && fromBeginning) {
            throw new ParameterException(spec.commandLine(), "--from-end and --from-beginning contradict each other");
        }
        final OlrConfig config = broker.loadWithCluster();
        final TopologyConfig t = config.topologyConfig();
        final TopicRole role = TopicRole.of(topic, t);
        final String topicName = TopicRole.topicName(topic, t);
        final RecordCodec<? extends SpecificRecordBase> codec =
                role.recordType() == null ? null : t.format().codec(role.recordType());
        final PrintWriter out = spec.commandLine().getOut();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread main = Thread.currentThread();
        final Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                main.join(5000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        long printed = 0;
        final KafkaConsumer<byte[], byte[]> opened;
        try {
            opened = Consumers.wholeTopic(config.connection(), topicName, !fromEnd);
        } catch (final IllegalArgumentException e) {
            spec.commandLine().getErr().println("olr consume: " + e.getMessage() + " (the topics of olr run: "
                    + String.join(", ", TopicRole.roleNames()) + ", or a topic's name)");
            return 2;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = opened) {
            // with read_committed, the end is the last stable offset: what a reader can see now
            final Map<TopicPartition, Long> end = exitAtEnd ? consumer.endOffsets(consumer.assignment()) : Map.of();
            long lastRecord = System.nanoTime();
            while (!stop.get()) {
                if (exitAtEnd && reached(consumer, end)) {
                    out.flush();
                    return 0;
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final JsonNode value = toJson(r, role, codec);
                    out.println(ModelJson.MAPPER.writeValueAsString(printKey ? withKey(r.key(), value) : value));
                    lastRecord = System.nanoTime();
                    if (max > 0 && ++printed >= max) {
                        out.flush();
                        return 0;
                    }
                }
                out.flush();
                if (idleTimeoutMs > 0 && System.nanoTime() - lastRecord > idleTimeoutMs * 1_000_000L) {
                    return 0;
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (final IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
        }
        return 0;
    }

    /** Whether the consumer's position is at or past {@code end} in every partition. */
    private static boolean reached(final KafkaConsumer<byte[], byte[]> consumer, final Map<TopicPartition, Long> end) {
        for (final Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** A record printed with its key: the key as text when it is UTF-8, else in hex. */
    static ObjectNode withKey(final byte[] key, final JsonNode value) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        // the model topic's keys hold NULs: UTF-8, but not text
        final String text = key == null ? null : Utf8Text.of(key);
        if (key == null || text != null) {
            node.put("key", text);
        } else {
            node.put("key_hex", HexFormat.of().formatHex(key));
        }
        node.set("value", value);
        return node;
    }

    /** One record as a JSON line; a record that cannot be decoded is shown raw, with why, and never stops the command. */
    static JsonNode toJson(final ConsumerRecord<byte[], byte[]> r, final TopicRole role,
                           final RecordCodec<? extends SpecificRecordBase> codec) {
        try {
            if (codec != null) {
                return JsonCodec.toJsonTree(codec.decode(r.value()));
            }
        } catch (final RejectedInputException e) {
            // not in the configured format: show it raw, with why
            final ObjectNode raw = raw(r);
            raw.put("undecodable", e.getMessage());
            return raw;
        }
        if (role == TopicRole.MODEL) {
            try {
                return modelEntry(r);
            } catch (final RuntimeException e) {
                // a value of another format or layout, or corrupt: its bytes, and why (the consumer goes on)
                final ObjectNode raw = raw(r);
                raw.put("key_hex", r.key() == null ? null : HexFormat.of().formatHex(r.key()));
                raw.put("value_hex", r.value() == null ? null : HexFormat.of().formatHex(r.value()));
                raw.put("undecodable", e.getMessage() != null ? e.getMessage() : e.toString());
                return raw;
            }
        }
        return raw(r);
    }

    private static JsonNode modelEntry(final ConsumerRecord<byte[], byte[]> r) {
        final ModelTopicFormat.Key key = ModelTopicFormat.decodeKey(r.key());
        if (key == null) {
            return raw(r);
        }
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        node.put("model_id", key.modelId());
        if (key instanceof ModelTopicFormat.Legacy legacy) {
            legacyEntry(node, legacy.index(), r.value());
            return node;
        }
        final ModelTopicFormat.Entry e = (ModelTopicFormat.Entry) key;
        node.put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        node.put(e.kind() == ModelTopicFormat.Kind.WINDOW ? "chunk" : e.kind() == ModelTopicFormat.Kind.HEADER
                ? "number" : "index", e.number());
        if (r.value() == null) {
            node.putNull("deleted");
            return node;
        }
        switch (e.kind()) {
            case HEADER -> header(node, r.value());
            case MODEL_ROW -> row(node, ModelStateCodec.decodeRow(r.value()));
            case ROWS -> {
                final ModelTopicFormat.RowBlock block = ModelTopicFormat.decodeRows(r.value());
                final var rows = node.putArray("rows");
                for (int i = 0; i < block.size(); i++) {
                    final ObjectNode row = rows.addObject().put("index", block.indices()[i]);
                    row(row, ModelStateCodec.decodeRow(block.rows()[i]));
                }
            }
            case NAMES -> {
                final ModelTopicFormat.NamesBlock block = ModelTopicFormat.decodeNamesBlock(r.value());
                final ObjectNode names = node.putObject("names");
                for (int i = 0; i < block.indices().length; i++) {
                    final var list = names.putArray(String.valueOf(block.indices()[i]));
                    ModelStateCodec.decodeNames(block.names()[i]).forEach(list::add);
                }
            }
            case WINDOW -> {
                final ModelTopicFormat.WindowChunk chunk = ModelTopicFormat.decodeWindow(r.value());
                node.put("first_version", chunk.firstVersion());
                final var entries = node.putArray("entries");
                for (int i = 0; i < chunk.probabilities().length; i++) {
                    if (chunk.present()[i]) {
                        entries.addObject().put("progressive_probability", chunk.probabilities()[i])
                                .put("positive", chunk.positives()[i]);
                    } else {
                        entries.addObject().put("absent", true); // an imported window can have gaps
                    }
                }
            }
            default -> throw new IllegalStateException("unknown kind " + e.kind());
        }
        return node;
    }

    private static void header(final ObjectNode node, final byte[] value) {
        final ModelState model = ModelStateCodec.decodeHeader(value);
        node.put("header", true);
        ModelJson.putKind(node, model);
        ModelJson.putFinite(node, "progressive_log_loss", model.metrics().meanLogLoss());
        ModelJson.putFinite(node, "progressive_accuracy", model.metrics().accuracy());
    }

    private static void row(final ObjectNode node, final WeightRow row) {
        node.put("step", row.step());
        final var slots = node.putArray("stored_state");
        for (final double v : row.slots()) {
            slots.add(v);
        }
        if (row.seen() > 0) {
            node.put("feature_scale", row.scale());
        }
        if (!Double.isNaN(row.mean())) {
            node.put("feature_mean", row.mean());
            node.put("feature_deviation", row.deviation());
        }
    }

    /** An entry of the earlier layout: one per row, names entry or window slot. */
    private static void legacyEntry(final ObjectNode node, final int index, final byte[] value) {
        node.put("index", index);
        if (value == null) {
            node.putNull("deleted");
        } else if (index == ModelStateCodec.HEADER_INDEX) {
            header(node, value);
        } else if (ModelStateCodec.isNames(index)) {
            node.put("names_of_row", ModelStateCodec.namedRow(index));
            final var list = node.putArray("names");
            ModelStateCodec.decodeNames(value).forEach(list::add);
        } else if (!ModelStateCodec.isRow(index)) {
            node.put("auc_window_index", index);
            node.put("progressive_probability", ModelStateCodec.windowProbability(value));
            node.put("positive", ModelStateCodec.windowPositive(value));
        } else {
            row(node, ModelStateCodec.decodeRow(value));
        }
    }

    private static ObjectNode raw(final ConsumerRecord<byte[], byte[]> r) {
        final ObjectNode node = ModelJson.MAPPER.createObjectNode();
        node.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        node.put("value", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        return node;
    }
}
