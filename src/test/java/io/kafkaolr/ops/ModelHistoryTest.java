package io.kafkaolr.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kafkaolr.ops.ModelHistory.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A model's history: its past from the metrics topic and its live samples, merged by time. */
class ModelHistoryTest {
    private static Point at(final long time, final long version) {
        return new Point(time, version, version, 1.0 / version, 0.5);
    }

    @Test
    void thePastAndTheLiveSamplesAreOneCurveInTimeWithEachVersionOnceAtItsEarliest() {
        // published every 10 s before the restart; sampled once after it, idle at version 30, then learning
        final List<Point> past = List.of(at(1_000, 10), at(11_000, 20), at(21_000, 30));
        final List<Point> live = List.of(at(90_000, 30), at(91_000, 35));
        assertEquals(List.of(at(1_000, 10), at(11_000, 20), at(21_000, 30), at(91_000, 35)),
                ModelHistory.merge(past, live));
        assertEquals(ModelHistory.merge(past, live), ModelHistory.merge(live, past), "whichever comes first");
        assertEquals(List.of(at(1_000, 10), at(11_000, 20)),
                ModelHistory.merge(List.of(at(1_000, 10), at(11_000, 20)), List.of(at(1_000, 10), at(11_000, 20))),
                "a point in both is one point");
    }

    @Test
    void aPointOutOfOrderIsDroppedSoThatTimeAndVersionBothIncrease() {
        // another instance's clock a little ahead: its record of version 36 is stamped before the sample of 35
        final List<Point> merged = ModelHistory.merge(List.of(at(1_000, 10), at(3_990, 36)),
                List.of(at(2_000, 20), at(4_000, 35), at(5_000, 40)));
        assertEquals(List.of(at(1_000, 10), at(2_000, 20), at(4_000, 35), at(5_000, 40)), merged);
        assertEquals(List.of(at(1_000, 10), at(2_000, 20)),
                ModelHistory.merge(List.of(at(1_000, 10), at(2_000, 20)), List.of(at(2_000, 15))),
                "one time, two versions: the later version kept");
    }

    @Test
    void aPastAboveTheNewestVersionIsAnEarlierLifeOfTheModelAndNotDrawnIntoThisOne() {
        // deleted at version 200 and created again: its new life is at version 3
        assertEquals(List.of(at(3_000, 3)), ModelHistory.merge(List.of(at(1_000, 100), at(2_000, 200)),
                List.of(at(3_000, 3))));
    }

    @Test
    void atMostCapacityPointsAreKeptTheNewest() {
        final List<Point> past = new ArrayList<>();
        for (int i = 1; i <= 3_000; i++) {
            past.add(at(i * 1_000L, i));
        }
        final List<Point> live = new ArrayList<>();
        for (int i = 3_001; i <= 4_000; i++) {
            live.add(at(i * 1_000L, i));
        }
        final List<Point> merged = ModelHistory.merge(past, live);
        assertEquals(ModelHistory.CAPACITY, merged.size());
        assertEquals(at(401_000, 401), merged.get(0));
        assertEquals(at(4_000_000, 4_000), merged.get(merged.size() - 1));
    }

    @Test
    void aSeededHistoryGoesOnWithTheLiveSamplesOfNewVersionsOnly() {
        final ModelHistory history = new ModelHistory();
        history.add("m", at(90_000, 30)); // the first sample after a restart: idle since version 30
        history.seed("m", List.of(at(1_000, 10), at(11_000, 20), at(21_000, 30)));
        assertEquals(List.of(at(1_000, 10), at(11_000, 20), at(21_000, 30)), history.points("m"));
        history.add("m", at(91_000, 30));
        history.add("m", at(92_000, 31));
        assertEquals(List.of(at(1_000, 10), at(11_000, 20), at(21_000, 30), at(92_000, 31)), history.points("m"));
        // a store header that lags what the metrics topic already showed, and a clock that stepped back
        history.seed("m", List.of(at(95_000, 40)));
        history.add("m", at(96_000, 35));
        history.add("m", at(94_000, 41));
        history.add("m", at(97_000, 41));
        assertEquals(List.of(at(1_000, 10), at(11_000, 20), at(21_000, 30), at(92_000, 31), at(95_000, 40),
                at(97_000, 41)), history.points("m"), "strictly increasing in time and version");
    }
}
