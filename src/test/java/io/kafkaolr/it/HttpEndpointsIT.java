package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.ops.OpsServer;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP endpoint of two processors of one application against the real broker: each model
 * is held by one instance (its partition of the training store), and either instance answers
 * for every model.
 */
class HttpEndpointsIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "s3cret-token";
    private static final List<String> MODELS = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta");
    private static final int EXAMPLES_PER_MODEL = 40;

    private static OlrProcessor a;
    private static OlrProcessor b;
    private static TopologyConfig topics;

    @BeforeAll
    static void startTwoInstancesAndLearn() throws Exception {
        final OlrConfig base = KafkaFixture.config(broker, dir.resolve("unused"), Map.of(
                "olr.topic.partitions", "4", "olr.http.port", "0", "olr.model.hash-bits", "10"));
        topics = base.topologyConfig();
        KafkaFixture.createTopics(broker, base);
        // a takes model changes from whoever has its token; b is read-only
        a = OlrProcessor.start(base.with(Map.of("state.dir", dir.resolve("a").toString(),
                "olr.http.admin-token", TOKEN)), broker.bootstrapServers());
        b = OlrProcessor.start(base.with(Map.of("state.dir", dir.resolve("b").toString())), broker.bootstrapServers());
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final List<ProducerRecord<byte[], byte[]>> examples = new ArrayList<>();
        for (int i = 0; i < EXAMPLES_PER_MODEL; i++) {
            for (final String model : MODELS) {
                final boolean positive = i % 2 == 0;
                examples.add(new ProducerRecord<>(topics.examplesTopic(), model.getBytes(StandardCharsets.UTF_8),
                        codec.encode(LabeledExample.newBuilder().setModelId(model)
                                .setNumericFeatures(Map.of("strong", positive ? 2.0 : -2.0, "weak", positive ? 0.2 : 0.1,
                                        "noise", (double) (i % 5)))
                                .setCategoricalFeatures(Map.of("colour", positive ? "red" : "blue"))
                                .setLabel(positive ? "1" : "0").build())));
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker)) {
            KafkaFixture.send(producer, topics.examplesTopic(), examples);
            producer.send(new ProducerRecord<>(topics.examplesTopic(), "alpha".getBytes(StandardCharsets.UTF_8),
                    new byte[] {1, 2, 3})).get();
        }
        // every model learned, seen from both instances, and each instance holds some models;
        // scoring reads only committed models, so events wait until both instances serve them
        KafkaFixture.await(() -> {
            final Set<String> holders = new HashSet<>();
            for (final OlrProcessor p : List.of(a, b)) {
                final JsonNode list = get(p, "/models").body();
                if (list.path("models").size() != MODELS.size()) {
                    return false;
                }
                for (final JsonNode m : list.path("models")) {
                    if (m.path("version").asLong() != EXAMPLES_PER_MODEL
                            || m.path("served_version").asLong() != EXAMPLES_PER_MODEL) {
                        return false;
                    }
                    holders.add(m.path("instance").asText());
                }
            }
            return holders.size() == 2;
        }, TIMEOUT, () -> "models seen: a " + get(a, "/models").body() + ", b " + get(b, "/models").body()
                + "; examples learned: a " + learned(a) + ", b " + learned(b));
        scoreEvents();
    }

    private static String learned(final OlrProcessor p) {
        return get(p, "/metrics").text().lines().filter(l -> l.startsWith("olr_examples_learned_total")
                || l.startsWith("olr_dead_letters_total") && !l.endsWith(" 0.0")).toList().toString();
    }

    private static String scoring(final OlrProcessor p) {
        return get(p, "/metrics").text().lines().filter(l -> l.startsWith("olr_events_scored_total")
                || l.startsWith("olr_dead_letters_total{branch=\"scoring\"") && !l.endsWith(" 0.0")).toList().toString();
    }

    private static final int EVENTS = 10;

    private static void scoreEvents() throws Exception {
        final RecordCodec<io.kafkaolr.avro.Event> codec = RecordFormat.AVRO.codec(io.kafkaolr.avro.Event.class);
        final List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(new ProducerRecord<>(topics.eventsTopic(), ("e" + i).getBytes(StandardCharsets.UTF_8),
                    codec.encode(io.kafkaolr.avro.Event.newBuilder().setId("e" + i).setModelId("alpha")
                            .setNumericFeatures(Map.of("strong", 1.0)).build())));
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker)) {
            KafkaFixture.send(producer, topics.eventsTopic(), events);
        }
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    private record Answer(int status, JsonNode body, String text) {
    }

    private static Answer send(final OlrProcessor p, final String method, final String path, final String token,
                               final String body) {
        try {
            final HttpRequest.Builder request = HttpRequest.newBuilder(p.httpUri().orElseThrow().resolve(path))
                    .timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            final HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            final boolean json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
            return new Answer(response.statusCode(), json ? JSON.readTree(response.body()) : null, response.body());
        } catch (final Exception e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        }
    }

    private static Answer get(final OlrProcessor p, final String path) {
        return send(p, "GET", path, null, null);
    }

    private static String address(final OlrProcessor p) {
        final URI uri = p.httpUri().orElseThrow();
        return uri.getHost() + ":" + uri.getPort();
    }

    @Test
    void healthAndReadinessAnswerOnBothInstances() {
        for (final OlrProcessor p : List.of(a, b)) {
            final Answer health = get(p, "/health");
            assertEquals(200, health.status());
            assertEquals("UP", health.body().get("status").asText());
            final Answer ready = get(p, "/ready");
            assertEquals(200, ready.status(), ready.text());
            assertEquals("RUNNING", ready.body().get("state").asText());
            assertTrue(ready.body().get("ready").asBoolean());
        }
    }

    @Test
    void everyInstanceListsEveryModelWithItsCountersFromTheInstanceThatHoldsIt() {
        final JsonNode fromA = get(a, "/models").body().get("models");
        final JsonNode fromB = get(b, "/models").body().get("models");
        assertEquals(fromA, fromB, "the same list from either instance");
        for (final OlrProcessor p : List.of(a, b)) {
            final JsonNode list = get(p, "/models").body();
            assertTrue(list.get("complete").asBoolean(), "every partition listed: " + list);
            assertTrue(list.path("missing_partitions").isMissingNode(), list.toString());
            final JsonNode local = get(p, "/models?local").body().get("partitions");
            assertTrue(local.size() > 0 && local.size() < 4, "each instance lists its own partitions: " + local);
        }
        final List<String> ids = new ArrayList<>();
        fromA.forEach(m -> ids.add(m.get("model_id").asText()));
        assertEquals(MODELS.stream().sorted().toList(), ids);
        for (final JsonNode m : fromA) {
            assertEquals("binary", m.get("type").asText());
            assertEquals(Set.of("0", "1"), Set.of(m.get("classes").get(0).asText(), m.get("classes").get(1).asText()));
            assertEquals(EXAMPLES_PER_MODEL, m.get("examples").asLong());
            final double loss = m.get("progressive_log_loss").asDouble();
            assertTrue(loss > 0 && loss < Math.log(2), "learned something: " + loss);
            assertTrue(m.get("progressive_accuracy").asDouble() > 0.5);
            assertEquals(EXAMPLES_PER_MODEL, m.get("served_version").asLong(), "scoring serves the same version");
        }
    }

    @Test
    void aQueryForAModelHeldByTheOtherInstanceIsRoutedThere() {
        for (final OlrProcessor asked : List.of(a, b)) {
            final OlrProcessor other = asked == a ? b : a;
            final String remote = heldBy(other);
            final Answer answer = get(asked, "/models/" + OpsServer.pathSegment(remote));
            assertEquals(200, answer.status(), answer.text());
            assertEquals(address(other), answer.body().get("instance").asText(), "answered by the holder");
            assertEquals(remote, answer.body().get("model_id").asText());
            assertEquals(EXAMPLES_PER_MODEL, answer.body().get("version").asLong());
            assertEquals("training", answer.body().get("answered_from").asText());
            assertEquals("nag", answer.body().at("/settings/optimizer").asText(), "the default learner");
            assertEquals(10, answer.body().at("/settings/hash_bits").asInt());
            // the same through the holder itself
            assertEquals(answer.body(), get(other, "/models/" + OpsServer.pathSegment(remote)).body());
        }
        final Answer unknown = get(a, "/models/no-such-model");
        assertEquals(404, unknown.status());
        assertTrue(unknown.body().get("error").asText().contains("no-such-model"));
    }

    private static String heldBy(final OlrProcessor holder) {
        for (final JsonNode m : get(a, "/models").body().get("models")) {
            if (m.get("instance").asText().equals(address(holder))) {
                return m.get("model_id").asText();
            }
        }
        throw new AssertionError("no model held by " + address(holder));
    }

    @Test
    void theHistoryOfAModelIsKeptByItsHolderAndReachedFromEitherInstance() {
        final String model = heldBy(a);
        final Answer history = get(b, "/models/" + model + "/history");
        assertEquals(200, history.status(), history.text());
        assertEquals(address(a), history.body().get("instance").asText());
        final JsonNode points = history.body().get("points");
        assertTrue(points.size() >= 1, history.text());
        final JsonNode last = points.get(points.size() - 1);
        assertEquals(EXAMPLES_PER_MODEL, last.get("version").asLong());
        assertEquals(get(a, "/models/" + model).body().get("progressive_log_loss").asDouble(),
                last.get("progressive_log_loss").asDouble(), 0.0);
        long previous = 0;
        for (final JsonNode p : points) {
            assertTrue(p.get("time").asLong() > previous, "oldest first");
            previous = p.get("time").asLong();
        }
    }

    @Test
    void aScoringOnlyApplicationAnswersFromItsCopyOfTheModels() {
        final String training = topics.applicationId();
        final OlrConfig scoring = KafkaFixture.config(broker, dir.resolve("c"), Map.of(
                "olr.topic.partitions", "4", "olr.http.port", "0", "olr.model.hash-bits", "10"));
        final Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "application.id", training + "-scoring", "olr.role", "scoring", "olr.models-from", training,
                "olr.topic.examples", topics.examplesTopic(), "olr.topic.events", topics.eventsTopic(),
                "olr.topic.predictions", topics.predictionsTopic(), "olr.topic.dead-letters", topics.deadLettersTopic()));
        try (OlrProcessor c = OlrProcessor.start(scoring.with(settings), broker.bootstrapServers())) {
            KafkaFixture.await(() -> get(c, "/models").status() == 200
                            && get(c, "/models").body().get("models").size() == MODELS.size(), TIMEOUT,
                    () -> "scoring-only instance lists " + get(c, "/models").text());
            for (final JsonNode m : get(c, "/models").body().get("models")) {
                assertEquals(EXAMPLES_PER_MODEL, m.get("version").asLong());
                assertEquals(EXAMPLES_PER_MODEL, m.get("served_version").asLong());
                assertEquals(address(c), m.get("instance").asText());
            }
            final Answer one = get(c, "/models/alpha");
            assertEquals("scoring", one.body().get("answered_from").asText());
            assertEquals(get(a, "/models/alpha/export").text(), get(c, "/models/alpha/export").text(),
                    "the scoring copy is the trained model, entry for entry");
        }
    }

    @Test
    void topWeightsAreTheLargestByMagnitudeWithNamesAndOddsRatios() {
        final String model = heldBy(b);
        final Answer top = get(a, "/models/" + model + "/weights?top=3");
        assertEquals(200, top.status(), top.text());
        assertEquals(address(b), top.body().get("instance").asText(), "routed to the holder");
        final JsonNode weights = top.body().get("weights");
        assertEquals(3, weights.size());
        assertEquals(5, top.body().get("features").asInt(), "strong, weak, noise, colour=red, colour=blue");
        final JsonNode exported = get(a, "/models/" + model + "/export").body().get("weights");
        final List<Double> all = new ArrayList<>();
        exported.forEach(w -> all.add(Math.abs(w.asDouble())));
        all.sort(java.util.Comparator.reverseOrder());
        double previous = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 3; i++) {
            final JsonNode w = weights.get(i);
            final String name = w.get("features").get(0).asText();
            final double weight = w.get("weight").asDouble();
            assertEquals(exported.get(name).asDouble(), weight, 0.0, name + " as exported");
            assertEquals(all.get(i), Math.abs(weight), 0.0, "rank " + i);
            assertTrue(Math.abs(weight) <= previous);
            previous = Math.abs(weight);
            assertEquals(Math.exp(weight), w.get("odds_ratio").asDouble(), 0.0);
        }
        assertEquals(400, get(a, "/models/" + model + "/weights?top=zero").status());

        // ranked per scale (standard deviation): comparable across features whatever their units
        final JsonNode scaled = get(a, "/models/" + model + "/weights?top=5&by=scaled").body();
        assertEquals("scaled_weight", scaled.get("ranked_by").asText());
        previous = Double.POSITIVE_INFINITY;
        for (final JsonNode w : scaled.get("weights")) {
            final double s = w.get("scaled_weight").asDouble();
            assertEquals(w.get("weight").asDouble() * w.get("scale").asDouble(), s, 0.0);
            assertEquals(Math.exp(s), w.get("odds_ratio_per_scale").asDouble(), 0.0);
            assertTrue(Math.abs(s) <= previous, "ranked by |scaled_weight|");
            previous = Math.abs(s);
        }
    }

    @Test
    void prometheusMetricsCoverStreamsJvmAndTheProcessor() {
        final Pattern learned = Pattern.compile("(?m)^olr_examples_learned_total (\\S+)$");
        double total = 0;
        for (final OlrProcessor p : List.of(a, b)) {
            final String text = get(p, "/metrics").text();
            final Matcher m = learned.matcher(text);
            assertTrue(m.find(), text);
            total += Double.parseDouble(m.group(1));
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics");
            assertTrue(text.contains("kafka_stream_"), "Kafka Streams' own metrics");
            assertTrue(text.contains("olr_events_scored_total"));
            assertTrue(text.contains("olr_processing_latency_seconds{branch=\"training\",stat=\"avg\"}"), text);
            for (final String model : MODELS) {
                assertTrue(text.contains("olr_model_version{model=\"" + model + "\",side=\"scoring\"} "
                        + (double) EXAMPLES_PER_MODEL), model + " as scoring serves it");
            }
        }
        assertEquals(MODELS.size() * EXAMPLES_PER_MODEL, total, 0.0, "every example learned once, over both instances");
        final Pattern scored = Pattern.compile("(?m)^olr_events_scored_total (\\S+)$");
        final Pattern latency = Pattern.compile(
                "(?m)^olr_processing_latency_seconds\\{branch=\"scoring\",stat=\"avg\"} (\\S+)$");
        KafkaFixture.await(() -> {
            double events = 0;
            for (final OlrProcessor p : List.of(a, b)) {
                final Matcher m = scored.matcher(get(p, "/metrics").text());
                events += m.find() ? Double.parseDouble(m.group(1)) : 0;
            }
            return events == EVENTS;
        }, TIMEOUT, () -> "events scored and scoring's dead letters: a " + scoring(a) + ", b " + scoring(b));
        boolean timed = false;
        for (final OlrProcessor p : List.of(a, b)) {
            final Matcher m = latency.matcher(get(p, "/metrics").text());
            assertTrue(m.find());
            final double seconds = Double.parseDouble(m.group(1));
            timed |= seconds > 0 && seconds < 1;
        }
        assertTrue(timed, "the instance that scored reports its time per event");
        final String holder = get(a, "/metrics").text() + get(b, "/metrics").text();
        for (final String model : MODELS) {
            assertTrue(holder.contains("olr_model_version{model=\"" + model + "\",side=\"training\"} "
                    + (double) EXAMPLES_PER_MODEL), model + " as training has it");
            assertTrue(holder.contains("olr_model_progressive_log_loss{model=\"" + model + "\"}"));
        }
        assertTrue(holder.contains("olr_dead_letters_total{branch=\"training\",reason=\"UNPARSEABLE\"} 1.0"), holder);
    }

    @Test
    void modelChangesNeedTheAdminTokenAndAnExportImportedOverHttpIsEqualToTheBit() {
        final String exported = get(b, "/models/gamma/export").text();
        assertEquals(403, send(b, "PUT", "/models/gamma-copy", null, exported).status(), "b has no token: read-only");
        assertEquals(401, send(a, "PUT", "/models/gamma-copy", null, exported).status());
        assertEquals(401, send(a, "PUT", "/models/gamma-copy", "wrong", exported).status());
        assertEquals(400, send(a, "PUT", "/models/gamma-copy", TOKEN, "{\"weights\":{}}").status());

        final Answer accepted = send(a, "PUT", "/models/gamma-copy", TOKEN, exported);
        assertEquals(202, accepted.status(), accepted.text());
        KafkaFixture.await(() -> get(b, "/models/gamma-copy/export").status() == 200, TIMEOUT,
                () -> "gamma-copy: " + get(b, "/models/gamma-copy").text());
        assertEquals(exported, get(b, "/models/gamma-copy/export").text(), "export -> import -> export, to the bit");

        assertEquals(202, send(a, "DELETE", "/models/gamma-copy", TOKEN, null).status());
        KafkaFixture.await(() -> get(a, "/models/gamma-copy").status() == 404, TIMEOUT,
                () -> "gamma-copy after delete: " + get(a, "/models/gamma-copy").text());
        KafkaFixture.await(() -> get(b, "/models").body().get("models").size() == MODELS.size(), TIMEOUT,
                () -> "models after delete: " + get(b, "/models").text());
        assertNotEquals(404, get(a, "/models/gamma").status(), "the original is untouched");
    }
}
