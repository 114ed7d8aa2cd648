package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.runtime.OlrProcessor;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * One of two instances stops while the other is asked for every model without pause: while the
 * models move, the answers say "not now" (503, or 502 from a holder that no longer answers),
 * never "no such model" (404) or an internal error (500); then the remaining instance answers
 * for every model from its own store.
 */
class HandoverIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> MODELS = List.of("m1", "m2", "m3", "m4", "m5", "m6");
    private static final int EXAMPLES = 20;

    @Test
    void whileModelsMoveToTheRemainingInstanceTheyAreNeverReportedMissing() throws Exception {
        final OlrConfig base = KafkaFixture.config(broker, dir.resolve("unused"), Map.of(
                "olr.topic.partitions", "4", "olr.http.port", "0", "olr.model.hash-bits", "10"));
        final TopologyConfig topics = base.topologyConfig();
        KafkaFixture.createTopics(broker, base);
        final OlrProcessor a = OlrProcessor.start(base.with(Map.of("state.dir", dir.resolve("a").toString())),
                broker.bootstrapServers());
        final OlrProcessor b = OlrProcessor.start(base.with(Map.of("state.dir", dir.resolve("b").toString())),
                broker.bootstrapServers());
        final ExecutorService poller = Executors.newSingleThreadExecutor();
        try {
            final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
            final List<ProducerRecord<byte[], byte[]>> examples = new ArrayList<>();
            for (int i = 0; i < EXAMPLES; i++) {
                for (final String model : MODELS) {
                    examples.add(new ProducerRecord<>(topics.examplesTopic(), model.getBytes(StandardCharsets.UTF_8),
                            codec.encode(LabeledExample.newBuilder().setModelId(model)
                                    .setNumericFeatures(Map.of("x", i % 2 == 0 ? 1.0 : -1.0))
                                    .setLabel(i % 2 == 0 ? "1" : "0").build())));
                }
            }
            try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker)) {
                KafkaFixture.send(producer, topics.examplesTopic(), examples);
            }
            final URI uriA = a.httpUri().orElseThrow();
            final String addressA = uriA.getHost() + ":" + uriA.getPort();
            KafkaFixture.await(() -> {
                final List<String> holders = MODELS.stream().map(m -> holder(uriA, m)).toList();
                return holders.stream().noneMatch(String::isEmpty) && holders.stream().anyMatch(h -> !h.equals(addressA));
            }, TIMEOUT, () -> "models learned and spread over both instances: " + MODELS.stream()
                    .map(m -> holder(uriA, m)).toList());

            final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            final Map<Integer, String> examplesOfBodies = new ConcurrentHashMap<>();
            final List<String> incompleteLists = new java.util.concurrent.CopyOnWriteArrayList<>();
            final List<String> listsWithoutSix = new java.util.concurrent.CopyOnWriteArrayList<>();
            final AtomicBoolean polling = new AtomicBoolean(true);
            final Future<?> polls = poller.submit(() -> {
                while (polling.get()) {
                    for (final String model : MODELS) {
                        final HttpResponse<String> r = get(uriA.resolve("/models/" + model));
                        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        examplesOfBodies.putIfAbsent(r.statusCode(), r.body());
                    }
                    final HttpResponse<String> list = get(uriA.resolve("/models"));
                    if (list.statusCode() == 200) {
                        final JsonNode body = readJson(list.body());
                        if (!body.path("complete").asBoolean()) {
                            incompleteLists.add(list.body());
                        } else if (body.path("models").size() != MODELS.size()) {
                            listsWithoutSix.add(list.body());
                        }
                    }
                }
            });
            b.close();
            KafkaFixture.await(() -> MODELS.stream().allMatch(m -> holder(uriA, m).equals(addressA)), TIMEOUT,
                    () -> "models held by the remaining instance: " + MODELS.stream().map(m -> holder(uriA, m)).toList());
            polling.set(false);
            polls.get();

            final Map<Integer, Integer> seen = new TreeMap<>();
            statuses.forEach((status, n) -> seen.put(status, n.get()));
            System.out.println("answers for the models during the handover, by status: " + seen);
            assertTrue(seen.getOrDefault(200, 0) > 0, "answers: " + seen);
            for (final int status : seen.keySet()) {
                assertTrue(status == 200 || status == 502 || status == 503,
                        "status " + status + " during the handover (" + seen + "): " + examplesOfBodies.get(status));
            }
            // a list that lacks models says so: complete=false and the partitions missing
            assertEquals(List.of(), listsWithoutSix, "lists called complete without all six models");
            for (final String incomplete : incompleteLists) {
                assertTrue(readJson(incomplete).path("missing_partitions").size() > 0, incomplete);
            }
            System.out.println("lists during the handover that said they were incomplete: " + incompleteLists.size());
            final JsonNode after = readJson(get(uriA.resolve("/models")).body());
            assertTrue(after.path("complete").asBoolean(), after.toString());
            assertEquals(MODELS.size(), after.path("models").size(), after.toString());
            for (final String model : MODELS) {
                final JsonNode m = JSON.readTree(get(uriA.resolve("/models/" + model)).body());
                assertEquals(EXAMPLES, m.get("version").asInt(), model + " moved whole");
            }
        } finally {
            poller.shutdownNow();
            a.close();
            b.close();
        }
    }

    /** The instance that answered for {@code model}, or "" if none did. */
    private static String holder(final URI uri, final String model) {
        final HttpResponse<String> r = get(uri.resolve("/models/" + model));
        if (r.statusCode() != 200) {
            return "";
        }
        try {
            final JsonNode m = JSON.readTree(r.body());
            return m.get("version").asInt() == EXAMPLES ? m.get("instance").asText() : "";
        } catch (final Exception e) {
            throw new AssertionError(r.body(), e);
        }
    }

    private static JsonNode readJson(final String text) {
        try {
            return JSON.readTree(text);
        } catch (final Exception e) {
            throw new AssertionError(text, e);
        }
    }

    private static HttpResponse<String> get(final URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (final Exception e) {
            throw new AssertionError(uri + ": " + e, e);
        }
    }
}
