package io.kafkaolr.kafka;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.topology.TopologyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the processor's topics when they are missing; the model topic is compacted. */
public final class Topics {
    private Topics() {
    }

    /**
     * The partition count of {@code topic}, which must exist.
     *
     * @param connection where the cluster is and how to authenticate ({@link OlrConfig#connection()})
     */
    public static int partitions(final Map<String, Object> connection, final String topic) {
        try (Admin admin = Admin.create(connection)) {
            return partitions(admin, topic);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private static int partitions(final Admin admin, final String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size();
    }

    /** Creates whichever of the configured topics do not exist; returns the names created. */
    public static List<String> ensure(final Admin admin, final OlrConfig config)
            throws InterruptedException, ExecutionException, TimeoutException {
        final int partitions = config.intValue("olr.topic.partitions");
        final short replication = (short) config.intValue("olr.topic.replication-factor");
        final TopologyConfig t = config.topologyConfig();
        final Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        final List<NewTopic> missing = new ArrayList<>();
        for (final String name : List.of(t.examplesTopic(), t.eventsTopic(), t.predictionsTopic(),
                t.deadLettersTopic(), t.metrics().topic())) {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, partitions, replication));
            }
        }
        final int examplePartitions = existing.contains(t.examplesTopic())
                ? partitions(admin, t.examplesTopic()) : partitions;
        if (!existing.contains(t.modelTopic())) {
            // the training store's changelog, created here rather than by Kafka Streams because every
            // instance's global store reads it from start-up on; it must have the examples topic's
            // partition count, and compaction keeps it O(model size)
            missing.add(new NewTopic(t.modelTopic(), examplePartitions, replication)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        if (t.role().trains() && !existing.contains(t.controlTopic())) {
            // co-partitioned with the examples: a model's commands reach the task that learns it
            missing.add(new NewTopic(t.controlTopic(), examplePartitions, replication));
        }
        if (t.role().scores() && t.feedback().enabled()) {
            feedbackTopics(admin, t, existing, partitions, replication, missing);
        }
        final List<String> created = new ArrayList<>();
        for (final NewTopic topic : missing) {
            try {
                admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                created.add(topic.name());
            } catch (final ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e; // another instance creating it at the same moment is fine
                }
            }
        }
        awaitLeaders(admin, created);
        return created;
    }

    /**
     * The outcomes topic and the topic scoring hands what it scored to the join through: both
     * keyed by event id, they must have one partition count, so that an event and its outcome
     * reach the same task; a mismatch is refused rather than left to lose joins.
     */
    private static void feedbackTopics(final Admin admin, final TopologyConfig t, final Set<String> existing,
                                       final int partitions, final short replication, final List<NewTopic> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        final String outcomes = t.feedback().outcomesTopic();
        final String scored = t.feedbackScoredTopic();
        final int outcomePartitions = existing.contains(outcomes) ? partitions(admin, outcomes) : partitions;
        if (!existing.contains(outcomes)) {
            missing.add(new NewTopic(outcomes, outcomePartitions, replication));
        }
        if (!existing.contains(scored)) {
            missing.add(new NewTopic(scored, outcomePartitions, replication));
        } else if (partitions(admin, scored) != outcomePartitions) {
            throw new IllegalStateException(scored + " has " + partitions(admin, scored) + " partitions and "
                    + outcomes + " " + outcomePartitions + ": they must have as many, so that an event and its "
                    + "outcome meet in one task");
        }
    }

    /**
     * Waits until every partition of {@code topics} has a leader in the broker's metadata. A
     * created topic can take a moment to appear there, and a global store that starts before it
     * does fails at once ("no partitions available").
     */
    private static void awaitLeaders(final Admin admin, final List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!topics.isEmpty()) {
            try {
                final boolean ready = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()
                        .stream().allMatch(d -> !d.partitions().isEmpty()
                                && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (final ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics created but without leaders after 30 s: " + topics);
            }
            Thread.sleep(50); // polling the broker's metadata, which has no notification
        }
    }
}
