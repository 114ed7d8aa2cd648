package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.ProgressiveMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The learning curve from committed headers: the mean so far, and the mean over the latest
 * examples as the difference of two headers' running sums, checked against the means of the
 * examples' own losses.
 */
class LearningCurveTest {
    private static final double EPS = 1e-12;

    /** The running metrics after each example of {@code losses} (index i: after i + 1 examples). */
    private static List<ProgressiveMetrics> running(final double[] losses, final double[] importances) {
        final List<ProgressiveMetrics> out = new ArrayList<>();
        ProgressiveMetrics m = ProgressiveMetrics.EMPTY;
        for (int i = 0; i < losses.length; i++) {
            m = m.plus(losses[i], true, importances[i]);
            out.add(m);
        }
        return out;
    }

    /** The importance-weighted mean of {@code losses} from index {@code from} (inclusive) to {@code to} (exclusive). */
    private static double mean(final double[] losses, final double[] importances, final int from, final int to) {
        double loss = 0;
        double weight = 0;
        for (int i = from; i < to; i++) {
            loss += importances[i] * losses[i];
            weight += importances[i];
        }
        return loss / weight;
    }

    @Test
    void aHeaderAtEveryExampleGivesTheMeanOfExactlyTheLatestWindow() {
        final double[] losses = {1, 2, 3, 4, 5, 6};
        final double[] ones = {1, 1, 1, 1, 1, 1};
        final List<ProgressiveMetrics> metrics = running(losses, ones);
        final LearningCurve curve = new LearningCurve(3);
        for (int v = 1; v <= losses.length; v++) {
            assertTrue(curve.add(v, metrics.get(v - 1)));
        }
        final List<LearningCurve.Point> points = curve.points();
        assertEquals(6, points.size());
        for (int v = 1; v <= 6; v++) {
            final LearningCurve.Point p = points.get(v - 1);
            assertEquals(v, p.version());
            assertEquals(mean(losses, ones, 0, v), p.meanLogLoss(), EPS, "mean so far at " + v);
        }
        // no header 3 versions back yet (the first is version 1): the mean so far
        assertEquals(1.0, points.get(0).recentLogLoss(), EPS);
        assertEquals(1.5, points.get(1).recentLogLoss(), EPS);
        assertEquals(2.0, points.get(2).recentLogLoss(), EPS);
        // from version 4 on: the examples after the header 3 versions back, 3 of them
        assertEquals(3.0, points.get(3).recentLogLoss(), EPS, "mean of 2, 3, 4");
        assertEquals(4.0, points.get(4).recentLogLoss(), EPS, "mean of 3, 4, 5");
        assertEquals(5.0, points.get(5).recentLogLoss(), EPS, "mean of 4, 5, 6");
        assertEquals(6, curve.lastVersion());
        assertEquals(3, curve.window());
    }

    @Test
    void headersOncePerCommitGiveTheMeanSinceTheLatestHeaderAtLeastTheWindowBack() {
        final Random random = new Random(7);
        final int n = 120;
        final double[] losses = new double[n];
        final double[] importances = new double[n];
        for (int i = 0; i < n; i++) {
            losses[i] = random.nextDouble() * 2;
            importances[i] = 0.5 + random.nextDouble(); // weighted: the means are importance-weighted
        }
        final List<ProgressiveMetrics> metrics = running(losses, importances);
        final LearningCurve curve = new LearningCurve(50);
        final int[] commits = {10, 25, 60, 100, 101, 120};
        for (final int v : commits) {
            curve.add(v, metrics.get(v - 1));
        }
        final List<LearningCurve.Point> points = curve.points();
        assertEquals(commits.length, points.size());
        // 10, 25: no header 50 back; 60: since 10 (50 examples); 100 and 101: since 25 (60 > 50 and 51 back);
        // 120: since 60 (exactly 60 back)
        final int[] since = {0, 0, 10, 25, 25, 60};
        for (int i = 0; i < commits.length; i++) {
            final LearningCurve.Point p = points.get(i);
            assertEquals(commits[i], p.version());
            assertEquals(mean(losses, importances, 0, commits[i]), p.meanLogLoss(), 1e-9,
                    "mean so far at " + commits[i]);
            assertEquals(mean(losses, importances, since[i], commits[i]), p.recentLogLoss(), 1e-9,
                    "recent mean at " + commits[i]);
        }
        assertTrue(Math.abs(points.get(5).recentLogLoss() - points.get(5).meanLogLoss()) > 1e-6,
                "the recent mean is not the mean so far");
    }

    @Test
    void aHeaderReadAgainOrAnOlderOneAddsNoPoint() {
        final List<ProgressiveMetrics> metrics = running(new double[] {0.5, 0.25, 0.125}, new double[] {1, 1, 1});
        final LearningCurve curve = new LearningCurve(2);
        assertEquals(0, curve.lastVersion());
        assertFalse(curve.add(0, ProgressiveMetrics.EMPTY), "version 0: nothing learned");
        assertTrue(curve.add(2, metrics.get(1)));
        assertFalse(curve.add(2, metrics.get(1)));
        assertFalse(curve.add(1, metrics.get(0)));
        assertTrue(curve.add(3, metrics.get(2)));
        assertEquals(List.of(2L, 3L), curve.points().stream().map(LearningCurve.Point::version).toList());
        assertThrows(IllegalArgumentException.class, () -> new LearningCurve(0));
    }
}
