package io.kafkaolr.it;

import static io.kafkaolr.it.KafkaFixture.consumer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.DeadLetterOriginals;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.testing.HostileHeaders;
import io.kafkaolr.topology.TopologyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The inputs that used to stop the processor, against the real broker: each one becomes a
 * bounded dead letter with its reason, the processor never fails, good records around them
 * are learned, and after a restart it runs on (nothing is met again, nothing fails again) and
 * learns the next good record.
 */
class HostileInputIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final RecordFormat FORMAT = RecordFormat.JSON;
    private static final String TOKEN = "hostile-test-token";

    @Test
    void noInputStopsTheProcessorAndNoneStopsItAgainAfterARestart() throws Exception {
        final OlrConfig config = KafkaFixture.config(broker, dir.resolve("state"), Map.of(
                "olr.format", FORMAT.name(), "olr.model.type", "softmax", "olr.metrics.interval.ms", "200",
                "olr.http.port", "0", "olr.http.admin-token", TOKEN,
                // small enough to reach in a test, large enough for the good imports below
                "olr.limits.import-bytes", String.valueOf(1 << 20)));
        final TopologyConfig t = config.topologyConfig();
        KafkaFixture.createTopics(broker, config);
        final RecordCodec<ModelCommand> commands = FORMAT.codec(ModelCommand.class);

        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             KafkaConsumer<byte[], byte[]> deadLetters = consumer(broker, t.deadLettersTopic());
             KafkaConsumer<byte[], byte[]> metrics = consumer(broker, t.metrics().topic());
             ModelTopicReader model = new ModelTopicReader(consumer(broker, t.modelTopic()))) {
            // 1. about 800 KB that is not JSON; 100,000 features in about 900 KB; a 1,048,400-byte event
            final byte[] garbage = new byte[800_000];
            new Random(11).nextBytes(garbage);
            garbage[0] = 'x';
            final StringBuilder wide = new StringBuilder("{\"model_id\":\"good\",\"label\":\"a\",\"numeric_features\":{");
            for (int i = 0; i < 100_000; i++) {
                wide.append(i == 0 ? "" : ",").append('"').append(Integer.toString(i, 36)).append("\":1");
            }
            final byte[] event = new byte[1_048_400];
            Arrays.fill(event, (byte) '{');
            hostileCase(config, producer, deadLetters, metrics, model, List.of(
                    new ProducerRecord<>(t.examplesTopic(), utf8("good"), garbage),
                    new ProducerRecord<>(t.examplesTopic(), utf8("good"), utf8(wide.append("}}").toString())),
                    new ProducerRecord<>(t.eventsTopic(), utf8("e"), event)),
                    List.of("TOO_MANY_FEATURES", "UNPARSEABLE", "UNPARSEABLE"), 1).close();

            // 2. a softmax model fed distinct 10 KB labels
            final List<ProducerRecord<byte[], byte[]>> labels = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                labels.add(example(t, "labels", "L" + i + "y".repeat(10_000), 1.0));
            }
            hostileCase(config, producer, deadLetters, metrics, model, labels, Collections.nCopies(120, "LIMIT_EXCEEDED"),
                    2).close();

            // 3. a 300-byte import whose header claims 2^31 - 1 classes, on the control topic and over HTTP
            final byte[] claims = headerClaimingClasses(Integer.MAX_VALUE);
            final OlrProcessor afterHttp = hostileCase(config, producer, deadLetters, metrics, model,
                    List.of(command(t, commands, "claims", claims)), List.of("INVALID_COMMAND"), 3);
            try (OlrProcessor processor = afterHttp) {
                final ObjectNode body = ModelJson.MAPPER.createObjectNode();
                body.putObject("state").put("-1", Base64.getEncoder().encodeToString(claims));
                final HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                processor.httpUri().orElseThrow().resolve("/models/claims-http"))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, put.statusCode(), put.body());
                assertTrue(put.body().contains("does not fit"), put.body());
                assertFalse(processor.failed());
            }

            // 4. an import at version -5 (it failed the metrics punctuation one example later)
            final ModelState fresh = ModelState.fresh(softmax());
            hostileCase(config, producer, deadLetters, metrics, model, List.of(command(t, commands, "negative",
                    ModelStateCodec.encodeHeader(new ModelState(fresh.settings(), fresh.classes(), -5, fresh.clock(),
                            fresh.biasState(), fresh.metrics(), fresh.classCounts())))),
                    List.of("INVALID_COMMAND"), 4).close();

            // 5. an import over olr.limits.import-bytes, in parts, as olr model import sends it
            final List<ProducerRecord<byte[], byte[]>> parts = new ArrayList<>();
            for (final ModelCommand part : ControlCommands.importParts("huge", snapshotWithNames(fresh, 40_000),
                    200_000)) {
                parts.add(new ProducerRecord<>(t.controlTopic(), utf8("huge"), commands.encode(part)));
            }
            hostileCase(config, producer, deadLetters, metrics, model, parts, List.of("LIMIT_EXCEEDED"), 5).close();

            // and a last restart: every hostile record is behind the committed offsets, none is met again
            try (OlrProcessor restarted = OlrProcessor.start(config, broker.bootstrapServers())) {
                assertTrue(restarted.awaitRunning(TIMEOUT), "restarted processor running");
                producer.send(example(t, "good", "a", 1.0)).get();
                awaitVersion(model, "good", 6);
                assertEquals(0, deadLetters.poll(Duration.ofMillis(500)).count(), "no record was met again");
                assertFalse(restarted.failed(), "no stream thread failed");
            }
        }
    }

    /**
     * Starts the processor (a restart, after the case before), sends {@code hostile} and then a
     * good example of model {@code good}, and checks one bounded dead letter per hostile record
     * with its reason, the good example learned (version {@code version}) and no thread failed.
     * Returns the running processor, for the caller to close.
     */
    private OlrProcessor hostileCase(final OlrConfig config, final KafkaProducer<byte[], byte[]> producer,
                                     final KafkaConsumer<byte[], byte[]> deadLetters,
                                     final KafkaConsumer<byte[], byte[]> metrics, final ModelTopicReader model,
                                     final List<ProducerRecord<byte[], byte[]>> hostile,
                                     final List<String> reasons, final long version) throws Exception {
        final TopologyConfig t = config.topologyConfig();
        final OlrProcessor processor = OlrProcessor.start(config, broker.bootstrapServers());
        try {
            assertTrue(processor.awaitRunning(TIMEOUT), "processor running");
            final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(hostile);
            records.add(example(t, "good", "a", 1.0));
            send(producer, records);
            final List<DeadLetter> received = awaitDeadLetters(deadLetters, FORMAT.codec(DeadLetter.class),
                    reasons.size());
            assertEquals(sortedCopy(reasons), sortedCopy(received.stream().map(DeadLetter::getReason).toList()),
                    "one dead letter per hostile record, with its reason");
            for (final DeadLetter letter : received) {
                final byte[] kept = DeadLetterOriginals.value(letter);
                assertTrue(kept == null || kept.length <= 64 * 1024);
            }
            awaitVersion(model, "good", version);
            // the metrics punctuation (every 200 ms) has run over the models since: "good" published at this version
            final RecordCodec<ModelMetrics> codec = FORMAT.codec(ModelMetrics.class);
            final List<ConsumerRecord<byte[], byte[]>> published = new ArrayList<>();
            KafkaFixture.pollUntil(metrics, published, () -> published.stream().map(r -> codec.decode(r.value()))
                    .anyMatch(m -> m.getModelId().equals("good") && m.getModelVersion() == version), TIMEOUT,
                    () -> published.size() + " metrics records, none of model 'good' at version " + version);
            assertFalse(processor.failed(), "no stream thread failed");
            assertEquals(org.apache.kafka.streams.KafkaStreams.State.RUNNING, processor.streams().state());
            return processor;
        } catch (final Throwable e) {
            processor.close();
            throw e;
        }
    }

    private static ModelSettings softmax() {
        return OlrConfig.defaults(Map.of("olr.model.type", "softmax")).modelSettings();
    }

    /** A valid stored header of a model with classes a and b, whose class list's count is then {@code count}. */
    private static byte[] headerClaimingClasses(final int count) {
        final ModelState model = ModelState.fresh(softmax().withClasses(List.of("a", "b"), true));
        final byte[] header = HostileHeaders.withClassCount(ModelStateCodec.encodeHeader(model), List.of("a", "b"), count);
        assertTrue(header.length < 400, header.length + " bytes");
        return header;
    }

    private static ModelSnapshot snapshotWithNames(final ModelState header, final int rows) {
        final Map<Integer, byte[]> stored = new java.util.HashMap<>();
        stored.put(ModelStateCodec.HEADER_INDEX, ModelStateCodec.encodeHeader(header));
        for (int i = 0; i < rows; i++) {
            stored.put(i, ModelStateCodec.encodeRow(new io.kafkaolr.core.WeightRow(0, new double[0], 0, 0,
                    new double[0])));
            stored.put(ModelStateCodec.namesIndex(i), ModelStateCodec.encodeNames(List.of("feature-" + i)));
        }
        return ModelSnapshot.fromStored(stored);
    }

    private static ProducerRecord<byte[], byte[]> command(final TopologyConfig t, final RecordCodec<ModelCommand> codec,
                                                          final String modelId, final byte[] header) {
        final ModelCommand command = ModelCommand.newBuilder().setModelId(modelId)
                .setAction(io.kafkaolr.avro.ModelAction.IMPORT).setEntries(List.of(io.kafkaolr.avro.ModelEntry
                        .newBuilder().setIndex(ModelStateCodec.HEADER_INDEX).setValue(ByteBuffer.wrap(header)).build()))
                .build();
        return new ProducerRecord<>(t.controlTopic(), utf8(modelId), codec.encode(command));
    }

    private static ProducerRecord<byte[], byte[]> example(final TopologyConfig t, final String modelId,
                                                          final String label, final double x) {
        return new ProducerRecord<>(t.examplesTopic(), utf8(modelId), utf8("{\"model_id\":\"" + modelId
                + "\",\"label\":\"" + label + "\",\"numeric_features\":{\"x\":" + x + "}}"));
    }

    private static void send(final KafkaProducer<byte[], byte[]> producer,
                             final List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        // one at a time, in order: the hostile ones are near Kafka's record limit
        for (final ProducerRecord<byte[], byte[]> r : records) {
            producer.send(r).get();
        }
    }

    private static List<DeadLetter> awaitDeadLetters(final KafkaConsumer<byte[], byte[]> consumer,
                                                     final RecordCodec<DeadLetter> codec, final int count) {
        final List<ConsumerRecord<byte[], byte[]>> sink = new ArrayList<>();
        KafkaFixture.pollUntil(consumer, sink, () -> sink.size() >= count, TIMEOUT,
                () -> "expected " + count + " dead letters but received " + sink.size());
        return sink.stream().map(r -> codec.decode(r.value())).toList();
    }

    private static void awaitVersion(final ModelTopicReader model, final String modelId, final long version) {
        KafkaFixture.await(() -> {
            model.poll();
            return model.version(modelId) >= version;
        }, TIMEOUT, () -> "model '" + modelId + "' at version " + model.version(modelId) + ", expected " + version);
        assertEquals(version, model.version(modelId));
    }

    private static List<String> sortedCopy(final List<String> values) {
        return values.stream().sorted().toList();
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
