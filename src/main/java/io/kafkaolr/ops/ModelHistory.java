package io.kafkaolr.ops;

import io.kafkaolr.core.ModelState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent history of each model this instance answers for: its counters sampled about once
 * a second, a point kept only when the model changed, at most {@link #CAPACITY} points per
 * model (an hour of a busy model). What the status page charts. Held in memory: it starts
 * again empty when the instance restarts or the model moves to another instance.
 */
final class ModelHistory {
    /** The most points kept per model. */
    static final int CAPACITY = 3600;

    /** One sample. */
    record Point(long time, long examples, long version, double logLoss, double accuracy) {
    }

    private final Map<String, Deque<Point>> points = new ConcurrentHashMap<>();

    /** Samples every model of {@code models} at {@code now} (epoch millis). */
    void sample(final LocalModels models, final long now) {
        final Set<String> ids = models.ids();
        points.keySet().retainAll(ids);
        for (final String id : ids) {
            models.source(id).flatMap(source -> models.headerIfReadable(id, source)).ifPresent(model -> add(id, model, now));
        }
    }

    private void add(final String id, final ModelState model, final long now) {
        final Deque<Point> deque = points.computeIfAbsent(id, k -> new ArrayDeque<>());
        synchronized (deque) {
            final Point last = deque.peekLast();
            if (last != null && last.version() == model.version()) {
                return;
            }
            deque.addLast(new Point(now, model.metrics().examples(), model.version(), model.metrics().meanLogLoss(),
                    model.metrics().accuracy()));
            if (deque.size() > CAPACITY) {
                deque.removeFirst();
            }
        }
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
