package io.kafkaolr.offline;

import io.kafkaolr.core.ProgressiveMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The learning curve of one model, as its successive committed headers show it: at each version,
 * the mean progressive log loss so far, and the mean over the latest examples only, which shows
 * how good the model is now (the mean so far still carries its first, ignorant predictions).
 *
 * <p>A header carries running sums ({@link ProgressiveMetrics}: importance-weighted losses and
 * importances), not each example's loss; the mean over the latest examples is the difference
 * between this header's sums and those of the latest earlier header at least {@code window}
 * versions back. Headers come once per commit, not once per example, so that mean covers at
 * least {@code window} examples (one commit's worth more at most); until a header that far back
 * exists it is the mean so far. What {@code olr demo} prints and plots.
 */
public final class LearningCurve {
    /**
     * One point of the curve.
     *
     * @param version the model's version (updates applied: one per example learned)
     * @param meanLogLoss the mean progressive log loss of every example so far
     * @param recentLogLoss the mean progressive log loss of at least the latest {@link #window()} examples
     */
    public record Point(long version, double meanLogLoss, double recentLogLoss) {
    }

    /** A header's running sums: what the mean over the latest examples is computed from. */
    private record Sums(long version, double lossSum, double weightSum) {
    }

    private final int window;
    private final List<Sums> headers = new ArrayList<>();
    private final List<Point> points = new ArrayList<>();
    /** The index in {@link #headers} of the latest header at least {@link #window} versions before the newest. */
    private int windowStart;

    /** @param window how many of the latest examples, at least, the recent mean covers */
    public LearningCurve(final int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the window must be at least 1 example, got " + window);
        }
        this.window = window;
    }

    /** How many of the latest examples, at least, {@link Point#recentLogLoss()} covers. */
    public int window() {
        return window;
    }

    /**
     * Adds the point of a header of {@code version} with {@code metrics}, if it is newer than the
     * latest added (the same commit read twice, or an older one, adds nothing).
     *
     * @return whether a point was added
     */
    public boolean add(final long version, final ProgressiveMetrics metrics) {
        if (version <= lastVersion()) {
            return false;
        }
        headers.add(new Sums(version, metrics.lossSum(), metrics.weightSum()));
        // versions only grow: the window's start only moves forward
        while (windowStart + 1 < headers.size() && headers.get(windowStart + 1).version() <= version - window) {
            windowStart++;
        }
        final Sums start = headers.get(windowStart);
        final double recent = start.version() <= version - window
                ? (metrics.lossSum() - start.lossSum()) / (metrics.weightSum() - start.weightSum())
                : metrics.meanLogLoss();
        points.add(new Point(version, metrics.meanLogLoss(), recent));
        return true;
    }

    /** The version of the latest point; 0 before any. */
    public long lastVersion() {
        return points.isEmpty() ? 0 : points.get(points.size() - 1).version();
    }

    /** The points, oldest first (a view: it grows as points are added). */
    public List<Point> points() {
        return Collections.unmodifiableList(points);
    }
}
