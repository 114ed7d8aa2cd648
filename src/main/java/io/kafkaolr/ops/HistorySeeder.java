package io.kafkaolr.ops;

import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.kafka.Consumers;
import io.kafkaolr.serde.Topic;
import io.kafkaolr.topology.ModelIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the past of the models that arrive at this instance from the metrics topic, in the
 * background, into their {@link ModelHistory}: so that a status page opened after a restart, or
 * after a model moved here, shows its whole curve rather than one point.
 *
 * <p>Bounded whatever the topic's size. A model's records are in one partition (keyed by its id,
 * Kafka's default partitioner), so only the partitions of the models asked for are read, and of
 * each only its tail: from the first record of the last {@code window} (found with
 * {@code offsetsForTimes}), and no more than {@link #MAX_RECORDS_PER_PARTITION} records; reading
 * stops after {@link #READ_TIMEOUT} whatever is left. Only the records of the models asked for
 * are decoded, and at most {@link ModelHistory#CAPACITY} points of each are held, the newest. The
 * read ends at the partitions' end offsets taken when it starts: what is published after, the
 * live samples have.
 *
 * <p>One thread: the models that arrive while a read runs are read together by the next one,
 * which starts no sooner than {@link #PAUSE} after: a steady trickle of new models costs one read
 * every few seconds, not one per model. A plain consumer (no group, read_committed: the metrics
 * are published in the trainer's transactions), opened for each read and closed after it: reads
 * are rare (a start, a rebalance). A read that fails (the topic missing, the cluster away) is
 * logged and not retried: the history then starts with the live samples, as before.
 */
final class HistorySeeder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    /** The most records read from one partition of the metrics topic for one read. */
    static final int MAX_RECORDS_PER_PARTITION = 200_000;
    /** A read stops after this long, with what it read. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** The least time between the end of a read and the start of the next. */
    static final Duration PAUSE = Duration.ofSeconds(3);

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Topic<ModelMetrics> topic;
    private final Duration window;
    private final ModelHistory history;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        final Thread t = new Thread(runnable, "olr-history-seed");
        t.setDaemon(true);
        return t;
    });
    private boolean scheduled; // guarded by this
    private long nextReadAt; // guarded by this: nanoTime

    /**
     * @param consumers opens a consumer for one read (closed after it)
     * @param topic the metrics topic and its codec
     * @param window how far back to read: as far as {@link ModelHistory#CAPACITY} points of one
     *     model go (the publication interval times the capacity)
     */
    HistorySeeder(final Supplier<Consumer<byte[], byte[]>> consumers, final Topic<ModelMetrics> topic,
                  final Duration window, final ModelHistory history) {
        this.consumers = consumers;
        this.topic = topic;
        this.window = window;
        this.history = history;
    }

    /** A seeder that reads with read_committed consumers of {@code connection}. */
    static HistorySeeder of(final Map<String, Object> connection, final Topic<ModelMetrics> topic,
                            final Duration interval, final ModelHistory history) {
        final Map<String, Object> settings = new HashMap<>(connection);
        settings.put("allow.auto.create.topics", "false"); // reading creates no topic
        settings.put("client.id", "olr-history-seed");
        return new HistorySeeder(() -> Consumers.unassigned(settings), topic,
                interval.multipliedBy(ModelHistory.CAPACITY), history);
    }

    /** Reads the past of {@code modelIds} soon, on the seeder's thread. */
    void request(final Set<String> modelIds) {
        if (modelIds.isEmpty()) {
            return;
        }
        pending.addAll(modelIds);
        synchronized (this) {
            if (scheduled) {
                return; // the read scheduled takes them too
            }
            scheduled = true;
            try {
                thread.schedule(this::readPending, Math.max(0, nextReadAt - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (final RejectedExecutionException e) {
                pending.clear(); // closed
            }
        }
    }

    /** Whether the past of {@code modelId} is still to be read. */
    boolean pending(final String modelId) {
        return pending.contains(modelId);
    }

    private void readPending() {
        synchronized (this) {
            scheduled = false;
        }
        final Set<String> ids = new LinkedHashSet<>(pending);
        try (Consumer<byte[], byte[]> consumer = consumers.get()) {
            final Map<String, Deque<ModelHistory.Point>> past = read(consumer, ids, System.currentTimeMillis());
            past.forEach(history::seed);
            LOG.debug("history of {} model(s) read from {}: {} point(s)", ids.size(), topic.name(),
                    past.values().stream().mapToInt(Deque::size).sum());
        } catch (final RuntimeException e) { // the cluster away, the topic gone, closing
            if (!Thread.currentThread().isInterrupted()) {
                LOG.warn("the history of {} model(s) could not be read from {}; their charts start now: {}",
                        ids.size(), topic.name(), e.toString());
            }
        } finally {
            pending.removeAll(ids);
            synchronized (this) {
                nextReadAt = System.nanoTime() + PAUSE.toNanos();
                if (!pending.isEmpty() && !scheduled) {
                    scheduled = true;
                    try {
                        thread.schedule(this::readPending, PAUSE.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (final RejectedExecutionException e) {
                        pending.clear();
                    }
                }
            }
        }
    }

    /**
     * The points of {@code modelIds} in the tail of the metrics topic (see the class), oldest
     * first, at most {@link ModelHistory#CAPACITY} per model; none for a topic that does not exist.
     */
    Map<String, Deque<ModelHistory.Point>> read(final Consumer<byte[], byte[]> consumer, final Set<String> modelIds,
                                                final long now) {
        final Map<String, Deque<ModelHistory.Point>> out = new HashMap<>();
        final List<TopicPartition> all = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (all.isEmpty()) {
            return out;
        }
        final Set<TopicPartition> partitions = new HashSet<>();
        for (final String id : modelIds) {
            partitions.add(new TopicPartition(topic.name(),
                    ModelIds.partitionOf(id.getBytes(StandardCharsets.UTF_8), all.size())));
        }
        consumer.assign(partitions);
        final Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
        final Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the last stable offset
        final Map<TopicPartition, Long> since = new HashMap<>();
        partitions.forEach(tp -> since.put(tp, now - window.toMillis()));
        final Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(since);
        final Set<TopicPartition> unread = new HashSet<>();
        for (final TopicPartition tp : partitions) {
            final OffsetAndTimestamp first = byTime.get(tp);
            final long start = startOffset(beginning.get(tp), end.get(tp), first == null ? null : first.offset());
            if (start < end.get(tp)) {
                consumer.seek(tp, start);
                unread.add(tp);
            }
        }
        consumer.pause(new HashSet<>(partitions));
        consumer.resume(unread);
        final long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (!unread.isEmpty() && System.nanoTime() < deadline) {
            for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= end.get(tp) || record.key() == null || record.value() == null) {
                    continue;
                }
                final String id = new String(record.key(), StandardCharsets.UTF_8);
                if (modelIds.contains(id)) {
                    add(out, id, record.value());
                }
            }
            unread.removeIf(tp -> consumer.position(tp) >= end.get(tp));
            consumer.pause(new HashSet<>(partitions));
            consumer.resume(unread);
        }
        if (!unread.isEmpty()) {
            LOG.warn("the history in {} was read for {} and not to its end: partitions {}", topic.name(),
                    READ_TIMEOUT, unread);
        }
        return out;
    }

    /**
     * Where to start reading a partition whose records are in [{@code beginning}, {@code end}):
     * at its first record of the window ({@code firstInWindow}; null: none, nothing to read),
     * and no more than {@link #MAX_RECORDS_PER_PARTITION} before its end.
     */
    static long startOffset(final long beginning, final long end, final Long firstInWindow) {
        return Math.max(Math.max(beginning, end - MAX_RECORDS_PER_PARTITION), firstInWindow == null ? end : firstInWindow);
    }

    private void add(final Map<String, Deque<ModelHistory.Point>> out, final String id, final byte[] value) {
        final ModelMetrics m;
        try {
            m = topic.decode(value);
        } catch (final RuntimeException e) {
            LOG.debug("a record of {} in {} that is not a ModelMetrics skipped", id, topic.name(), e);
            return;
        }
        if (!m.getModelId().equals(id)) {
            return;
        }
        final Deque<ModelHistory.Point> points = out.computeIfAbsent(id, k -> new ArrayDeque<>());
        points.addLast(point(m));
        if (points.size() > ModelHistory.CAPACITY) {
            points.removeFirst();
        }
    }

    /** A published record as a point of history, at its time of publication. */
    static ModelHistory.Point point(final ModelMetrics m) {
        return new ModelHistory.Point(m.getPublishedAt(), m.getExamples(), m.getModelVersion(),
                m.getProgressiveLogLoss() == null ? Double.NaN : m.getProgressiveLogLoss(),
                m.getProgressiveAccuracy() == null ? Double.NaN : m.getProgressiveAccuracy());
    }

    /** Stops at once: a read under way is interrupted. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
