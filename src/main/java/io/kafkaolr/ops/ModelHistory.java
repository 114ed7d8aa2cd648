package io.kafkaolr.ops;

import io.kafkaolr.core.ModelState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The history of each model this instance answers for: what the status page charts. Two
 * sources, merged by time:
 *
 * <ul>
 *   <li>live samples: the model's counters read about once a second, a point kept only when
 *       its version moved;</li>
 *   <li>its past, read once from the metrics topic when the model first appears here (after a
 *       restart, or when its partition moved here from another instance): the
 *       {@code ModelMetrics} records its trainer published every {@code olr.metrics.interval.ms}
 *       ({@link HistorySeeder}). Without it, a model that learned for hours would show one
 *       point after a restart.</li>
 * </ul>
 *
 * A history is strictly increasing in both time and version ({@link #merge}): a version seen
 * twice (sampled here and published by the trainer) is one point, the earlier. At most
 * {@link #CAPACITY} points per model, the newest. Held in memory; a model that leaves this
 * instance leaves its history, and is read again from the metrics topic if it comes back.
 */
final class ModelHistory {
    /** The most points kept per model: an hour of a busy model sampled each second. */
    static final int CAPACITY = 3600;

    /** One sample; {@code logLoss} and {@code accuracy} are NaN where undefined. */
    record Point(long time, long examples, long version, double logLoss, double accuracy) {
    }

    private final Map<String, Deque<Point>> points = new ConcurrentHashMap<>();
    // the models the last sample saw: a model absent from it is new here, and its past is read
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    /**
     * Samples every model of {@code models} at {@code now} (epoch millis). The models this
     * sample sees and the previous one did not are first handed to {@code arrivals}, whose past
     * is to be read: a model is either not {@link #known} yet or handed over.
     */
    void sample(final LocalModels models, final long now, final java.util.function.Consumer<Set<String>> arrivals) {
        final Set<String> ids = models.ids();
        points.keySet().retainAll(ids);
        known.retainAll(ids);
        final Set<String> arrived = new LinkedHashSet<>(ids);
        arrived.removeAll(known);
        arrivals.accept(arrived);
        known.addAll(arrived);
        for (final String id : ids) {
            models.source(id).flatMap(source -> models.headerIfReadable(id, source)).ifPresent(model -> add(id,
                    new Point(now, model.metrics().examples(), model.version(), model.metrics().meanLogLoss(),
                            model.metrics().accuracy())));
        }
    }

    /**
     * Adds a live sample of {@code id}, unless it is not after the last point in both version
     * and time (the same version again, or a store header that lags a point read from the
     * metrics topic): the history stays strictly increasing in both.
     */
    void add(final String id, final Point point) {
        final Deque<Point> deque = points.computeIfAbsent(id, k -> new ArrayDeque<>());
        synchronized (deque) {
            final Point last = deque.peekLast();
            if (last != null && (point.version() <= last.version() || point.time() <= last.time())) {
                return;
            }
            deque.addLast(point);
            if (deque.size() > CAPACITY) {
                deque.removeFirst();
            }
        }
    }

    /**
     * Merges {@code past} (read from the metrics topic) into the history of {@code id}. A model
     * that left this instance meanwhile loses it at the next sample.
     */
    void seed(final String id, final Collection<Point> past) {
        if (past.isEmpty()) {
            return;
        }
        final Deque<Point> deque = points.computeIfAbsent(id, k -> new ArrayDeque<>());
        synchronized (deque) {
            final List<Point> merged = merge(past, deque);
            deque.clear();
            deque.addAll(merged);
        }
    }

    /**
     * Two histories of one model as one: ordered by time, then, from the newest point back, each
     * point kept only if both its time and its version are below those of the point kept after
     * it. So a version in both is kept once, at its earlier time; a point out of order (another
     * instance's clock a little off) is dropped rather than drawn backwards; a past whose
     * versions go above the newest (the model deleted and created again since) is not drawn
     * into it. At most {@link #CAPACITY} points, the newest.
     */
    static List<Point> merge(final Collection<Point> a, final Collection<Point> b) {
        final List<Point> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        // by time, and for one time the lower version first: the newer one is the one kept
        all.sort(Comparator.comparingLong(Point::time).thenComparingLong(Point::version));
        final List<Point> kept = new ArrayList<>();
        Point after = null;
        for (int i = all.size() - 1; i >= 0 && kept.size() < CAPACITY; i--) {
            final Point p = all.get(i);
            if (after == null) {
                kept.add(p);
                after = p;
            } else if (p.version() == after.version() && p.time() < after.time()) {
                kept.set(kept.size() - 1, p); // the same version, seen earlier
                after = p;
            } else if (p.version() < after.version() && p.time() < after.time()) {
                kept.add(p);
                after = p;
            }
        }
        Collections.reverse(kept);
        return kept;
    }

    /** Whether the sampler has seen {@code modelId} here: until then its history is still to come. */
    boolean known(final String modelId) {
        return known.contains(modelId);
    }

    /** The points of {@code modelId}, oldest first (empty if none). */
    List<Point> points(final String modelId) {
        final Deque<Point> deque = points.get(modelId);
        if (deque == null) {
            return List.of();
        }
        synchronized (deque) {
            return List.copyOf(deque);
        }
    }
}
