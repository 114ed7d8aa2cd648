package io.kafkaolr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * A zombie never publishes. Two {@code olr run} processes share one application; the one that
 * trains the model is frozen (SIGSTOP) just after it learned examples it has not committed yet.
 * The group hands its tasks to the other instance, which learns those examples again and more.
 * Then the frozen one resumes (SIGCONT), its stale model still in memory, finds that it lost its
 * tasks and rejoins the group. Nothing it held reaches the model topic: after the handover, after
 * it rejoined and after more examples learned by the two instances, the model on the model topic is
 * bitwise the model of one uninterrupted pass over every example produced, and its example count
 * is their number.
 */
class ZombieIT extends BrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String MODEL = "m";
    private static final int PARTITIONS = 2;
    private static final int BATCH = 1000;
    /** The examples the trainer learns between a commit and being frozen: learned in well under a commit period. */
    private static final int UNCOMMITTED = 200;
    /**
     * How often each instance commits. The trainer is frozen right after a commit and the
     * {@link #UNCOMMITTED} examples it learned since, well within one period: it holds them uncommitted.
     */
    private static final int COMMIT_INTERVAL_MS = 3000;
    /** Tries at stopping the trainer between a commit and the next (a stop that came too late is undone). */
    private static final int ATTEMPTS = 5;

    /** One {@code olr run} child process; its stream thread's consumer is {@code <clientId>-StreamThread-1-consumer}. */
    private record Instance(String clientId, Process process, Path log) {
        boolean isMember(final MemberDescription member) {
            return member.clientId().startsWith(clientId + "-");
        }
    }

    @Test
    void anInstanceFrozenWhileItsTasksMovedNeverPublishesWhatItHeldAfterResuming() throws Exception {
        final OlrConfig base = KafkaFixture.config(broker, dir.resolve("unused"), Map.ofEntries(
                Map.entry("olr.topic.partitions", String.valueOf(PARTITIONS)),
                Map.entry("olr.model.optimizer", "ftrl"), Map.entry("olr.model.l1", "0.01"),
                Map.entry("olr.model.learning-rate", "0.2"), Map.entry("olr.model.l2", "0.001"),
                Map.entry("olr.model.hash-bits", "16"),
                // the /metrics endpoint says how many examples an instance has learned
                Map.entry("olr.http.port", "0"),
                Map.entry("commit.interval.ms", String.valueOf(COMMIT_INTERVAL_MS)),
                // a frozen instance leaves the group after 6 s (the broker's minimum)...
                Map.entry("session.timeout.ms", "6000"),
                Map.entry("heartbeat.interval.ms", "1000"),
                // ...and a transaction it left open times out 5 s after it began (the broker then aborts it)
                Map.entry("producer.transaction.timeout.ms", "5000"),
                // no record cache (the training store's default anyway): only exactly_once_v2 keeps its writes out
                Map.entry("statestore.cache.max.bytes", "0")));
        final TopologyConfig t = base.topologyConfig();
        KafkaFixture.createTopics(broker, base);
        final String group = base.get("application.id");
        final byte[] key = MODEL.getBytes(StandardCharsets.UTF_8);
        // the examples' partition of the model, as the producer's default partitioner picks it
        final TopicPartition partition = new TopicPartition(t.examplesTopic(),
                Utils.toPositive(Utils.murmur2(key)) % PARTITIONS);
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final Random random = new Random(20261207);
        final List<LabeledExample> sent = new ArrayList<>();

        final long start = System.nanoTime();
        final Consumer<String> progress = step -> System.out.printf("ZombieIT %5.1f s: %s%n",
                (System.nanoTime() - start) / 1e9, step);
        final List<Instance> instances = new ArrayList<>();
        Instance zombie = null;
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(broker);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             ModelTopicReader reader = new ModelTopicReader(KafkaFixture.consumer(broker, t.modelTopic()))) {
            for (final String name : List.of("olr-a", "olr-b")) {
                final Path log = dir.resolve(name + ".log");
                instances.add(new Instance(name, KafkaFixture.olrRun(base.with(Map.of("client.id", name,
                        "state.dir", dir.resolve(name).toString())), "512m", log), log));
            }
            final Map<Instance, URI> http = new HashMap<>();
            for (final Instance instance : instances) {
                http.put(instance, KafkaFixture.endpoint(instance.process(), instance.log(), TIMEOUT));
            }
            progress.accept("both instances serve HTTP");
            KafkaFixture.await(() -> owner(describe(admin, group), partition, instances, 2) != null, TIMEOUT,
                    () -> "both instances in the group, one training " + MODEL + ": " + describe(admin, group));

            progress.accept("both instances in the group");
            final List<ProducerRecord<byte[], byte[]>> first = batch(t, codec, random, sent, BATCH);
            KafkaFixture.send(producer, t.examplesTopic(), first);
            for (int attempt = 1; ; attempt++) {
                // all examples so far committed: the trainer has just committed, its next commit is a period away
                final long produced = sent.size();
                KafkaFixture.await(() -> committed(admin, group, partition) == produced, TIMEOUT,
                        () -> "committed " + committed(admin, group, partition) + " of " + produced + " examples; "
                                + logs(instances));
                final Instance trainer = owner(describe(admin, group), partition, instances, 2);
                assertNotNull(trainer, "the instance training " + MODEL + ": " + describe(admin, group));
                final URI trainerHttp = http.get(trainer);
                final double before = learned(trainerHttp);
                KafkaFixture.send(producer, t.examplesTopic(), batch(t, codec, random, sent, UNCOMMITTED));
                KafkaFixture.await(() -> learned(trainerHttp) >= before + UNCOMMITTED, TIMEOUT,
                        () -> trainer.clientId() + " learned " + (learned(trainerHttp) - before) + " of "
                                + UNCOMMITTED + " new examples; " + KafkaFixture.logTail(trainer.log()));
                signal(trainer.process(), "STOP");
                zombie = trainer;
                final long committedAtStop = committed(admin, group, partition);
                progress.accept("attempt " + attempt + ": " + trainer.clientId() + " stopped, committed "
                        + committedAtStop + " of " + sent.size() + " examples");
                if (committedAtStop == produced) {
                    break; // frozen holding examples it learned and has not committed
                }
                signal(trainer.process(), "CONT");
                assertTrue(attempt < ATTEMPTS, "in " + ATTEMPTS + " attempts the trainer was never stopped between"
                        + " learning a batch and committing it (committed " + committedAtStop + " of " + sent.size()
                        + ")");
            }
            final Instance stopped = zombie;
            final Instance survivor = instances.stream().filter(i -> i != stopped).findFirst().orElseThrow();

            // the group drops the frozen instance and gives the model's task to the other one
            KafkaFixture.await(() -> {
                final ConsumerGroupDescription d = describe(admin, group);
                return owner(d, partition, instances, 1) == survivor;
            }, TIMEOUT, () -> "handover to " + survivor.clientId() + ": " + describe(admin, group));
            progress.accept("handed over to " + survivor.clientId());
            KafkaFixture.send(producer, t.examplesTopic(), batch(t, codec, random, sent, BATCH));
            UninterruptedRun.awaitLearned(reader, Map.of(MODEL, sent), TIMEOUT, () -> logs(instances));
            UninterruptedRun.assertBitwise(MODEL, sent, base.modelSettings(), reader.entries(MODEL));
            assertTrue(stopped.process().isAlive(), "the frozen instance is still there: " + logs(instances));

            progress.accept(sent.size() + " examples learned, bitwise");
            // the zombie resumes with a model the others went past; it must find out and rejoin
            signal(stopped.process(), "CONT");
            KafkaFixture.await(() -> {
                final ConsumerGroupDescription d = describe(admin, group);
                return d != null && d.groupState() == GroupState.STABLE && d.members().size() == 2
                        && instances.stream().allMatch(i -> d.members().stream().filter(i::isMember).count() == 1);
            }, TIMEOUT, () -> "the resumed instance back in the group: " + describe(admin, group) + "; "
                    + logs(instances));
            progress.accept("the resumed instance rejoined");
            UninterruptedRun.awaitLearned(reader, Map.of(MODEL, sent), TIMEOUT, () -> logs(instances));
            UninterruptedRun.assertBitwise(MODEL, sent, base.modelSettings(), reader.entries(MODEL));

            // the two learn on; still one uninterrupted pass over every example, each counted once
            KafkaFixture.send(producer, t.examplesTopic(), batch(t, codec, random, sent, UNCOMMITTED));
            UninterruptedRun.awaitLearned(reader, Map.of(MODEL, sent), TIMEOUT, () -> logs(instances));
            UninterruptedRun.assertBitwise(MODEL, sent, base.modelSettings(), reader.entries(MODEL));
            assertEquals(sent.size(), reader.header(MODEL).metrics().examples(), "examples counted");
            progress.accept(sent.size() + " examples learned, bitwise");
            for (final Instance instance : instances) {
                assertTrue(instance.process().isAlive(), instance.clientId() + " runs: " + logs(instances));
            }
            System.out.println("what the zombie " + stopped.clientId() + " logged of its state and errors:\n"
                    + String.join("\n", KafkaFixture.read(stopped.log()).lines().filter(l -> l.contains("ERROR")
                            || l.contains("fenced") || l.contains("processor state"))
                    .map(l -> l.substring(0, Math.min(l.length(), 240))).toList()));
        } finally {
            for (final Instance instance : instances) {
                instance.process().destroyForcibly(); // SIGKILL, which ends a stopped process too
                instance.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** {@code count} new examples of the model, added to {@code sent}, as records for the examples topic. */
    private static List<ProducerRecord<byte[], byte[]>> batch(final TopologyConfig t,
                                                             final RecordCodec<LabeledExample> codec,
                                                             final Random random, final List<LabeledExample> sent,
                                                             final int count) {
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final LabeledExample example = UninterruptedRun.randomExample(MODEL, random);
            sent.add(example);
            records.add(new ProducerRecord<>(t.examplesTopic(), MODEL.getBytes(StandardCharsets.UTF_8),
                    codec.encode(example)));
        }
        return records;
    }

    /** Sends SIGSTOP or SIGCONT to {@code process}. */
    private static void signal(final Process process, final String signal) throws IOException, InterruptedException {
        final Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                .redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + signal + " returned");
        assertEquals(0, kill.exitValue(), "kill -" + signal + " " + process.pid() + ": "
                + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static ConsumerGroupDescription describe(final Admin admin, final String group) {
        try {
            return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
        } catch (final Exception e) {
            return null;
        }
    }

    /**
     * The instance whose stream thread is assigned {@code partition} in {@code group}, when it is
     * stable with {@code members} members, one per instance at most; otherwise null.
     */
    private static Instance owner(final ConsumerGroupDescription group, final TopicPartition partition,
                                  final List<Instance> instances, final int members) {
        if (group == null || group.groupState() != GroupState.STABLE || group.members().size() != members) {
            return null;
        }
        Instance owner = null;
        for (final MemberDescription member : group.members()) {
            final List<Instance> matching = instances.stream().filter(i -> i.isMember(member)).toList();
            if (matching.size() != 1) {
                return null;
            }
            if (member.assignment().topicPartitions().contains(partition)) {
                owner = matching.get(0);
            }
        }
        return owner;
    }

    /** The group's committed offset of {@code partition}: the examples whose learning was committed. */
    private static long committed(final Admin admin, final String group, final TopicPartition partition) {
        try {
            final OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(partition);
            return offset == null ? 0 : offset.offset();
        } catch (final Exception e) {
            return -1;
        }
    }

    /** The examples an instance has learned since it started, by its /metrics endpoint. */
    private static double learned(final URI http) {
        try {
            final HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(http.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return metrics.body().lines().filter(l -> l.startsWith("olr_examples_learned_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String logs(final List<Instance> instances) {
        return String.join("\n", instances.stream().map(i -> KafkaFixture.logTail(i.log())).toList());
    }
}
