package io.kafkaolr.bench;

import java.util.List;

/** The median of a benchmark's rounds: what its tables report, steadier than the mean on a shared machine. */
final class Median {
    private Median() {
    }

    /** The median of {@code values}: the middle one, or the mean of the two middle ones; NaN for none. */
    static double of(final List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
