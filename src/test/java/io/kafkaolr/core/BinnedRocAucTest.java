package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BinnedRocAucTest {
    private static double sigmoid(final double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void smallCasesMatchTheExactAucWhereNoPairSharesABin() {
        assertEquals(1.0, binned(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true}).auc());
        assertEquals(0.0, binned(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true}).auc());
        // exact ties are ties for both
        assertEquals(0.5, binned(new double[] {0.5, 0.5, 0.5, 0.5}, new boolean[] {false, true, false, true}).auc());
        assertEquals(0.875, binned(new double[] {0.1, 0.4, 0.4, 0.7}, new boolean[] {false, false, true, true}).auc());
        assertEquals(0.0, binned(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true})
                .errorBound());
        assertTrue(Double.isNaN(binned(new double[] {0.1, 0.2}, new boolean[] {true, true}).auc()));
        assertTrue(Double.isNaN(new BinnedRocAuc().auc()));
    }

    @Test
    void aPairWithinOneBinCountsOneHalfAndTheBoundSaysSo() {
        // 0.5 and 0.50001 differ by 4e-5 in logit, well within one bin (80 / 131072 wide)
        final BinnedRocAuc auc = binned(new double[] {0.5, 0.50001}, new boolean[] {false, true});
        assertEquals(1.0, RocAuc.rocAuc(new double[] {0.5, 0.50001}, new boolean[] {false, true}));
        assertEquals(0.5, auc.auc());
        assertEquals(0.5, auc.errorBound());
    }

    @Test
    void binsFollowTheProbabilityUpToTheEnds() {
        assertEquals(0, BinnedRocAuc.bin(0.0));
        assertEquals(0, BinnedRocAuc.bin(1e-300));
        assertEquals(BinnedRocAuc.BINS / 2, BinnedRocAuc.bin(0.5));
        assertEquals(BinnedRocAuc.BINS - 1, BinnedRocAuc.bin(1.0));
        assertEquals(BinnedRocAuc.BINS - 1, BinnedRocAuc.bin(Double.NaN));
        final Random random = new Random(3);
        double previous = 0;
        int previousBin = 0;
        final double[] sorted = random.doubles(100_000).map(u -> sigmoid((u - 0.5) * 80)).sorted().toArray();
        for (final double p : sorted) {
            final int bin = BinnedRocAuc.bin(p);
            assertTrue(bin >= previousBin, p + " is in bin " + bin + ", below " + previous + "'s " + previousBin);
            previous = p;
            previousBin = bin;
        }
    }

    /**
     * Random scores of many shapes: the binned AUC is always within its bound of the exact one.
     * Where the logits spread like a model's that has learned something (standard deviation 0.3
     * to 10, at least 1,000 scores) it is within 2e-4 of it; the worst over those cases is named
     * in the assertion's message when it fails; it was 1.3e-4 (standard deviation 0.3, 1,000
     * scores). Scores bunched in a few bins (logits of standard deviation 0.05) or spread far past
     * the binned range (standard deviation 40) only have the bound.
     */
    @Test
    void agreesWithTheExactAucOnRandomScores() {
        final Random random = new Random(20261203L);
        double worst = 0;
        String worstCase = "";
        for (final double spread : new double[] {0.05, 0.3, 1, 3, 10, 40}) {
            for (final int n : new int[] {2, 17, 1_000, 20_000}) {
                for (final double signal : new double[] {0, 1, 4}) {
                    final double[] scores = new double[n];
                    final boolean[] positive = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        final double logit = random.nextGaussian() * spread;
                        // a few scores rounded coarsely, so that exact ties occur too
                        scores[i] = sigmoid(i % 5 == 0 ? Math.rint(logit * 4) / 4 : logit);
                        positive[i] = random.nextDouble() < sigmoid(signal * logit / spread);
                    }
                    final double exact = RocAuc.rocAuc(scores, positive);
                    final BinnedRocAuc binned = binned(scores, positive);
                    assertEquals(n, binned.count());
                    if (Double.isNaN(exact)) {
                        assertTrue(Double.isNaN(binned.auc()));
                        continue;
                    }
                    final double error = Math.abs(binned.auc() - exact);
                    final String name = "spread " + spread + ", n " + n + ", signal " + signal;
                    assertTrue(error <= binned.errorBound() + 1e-12,
                            name + ": error " + error + " over the bound " + binned.errorBound());
                    if (n >= 1_000 && spread >= 0.3 && spread <= 10 && error > worst) {
                        worst = error;
                        worstCase = name;
                    }
                }
            }
        }
        assertTrue(worst < 2e-4, "worst error " + worst + " (" + worstCase + ")");
        assertTrue(worst > 0, "some pair shares a bin in these cases: the comparison is not vacuous");
    }

    private static BinnedRocAuc binned(final double[] scores, final boolean[] positive) {
        final BinnedRocAuc auc = new BinnedRocAuc();
        for (int i = 0; i < scores.length; i++) {
            auc.add(scores[i], positive[i]);
        }
        return auc;
    }
}
