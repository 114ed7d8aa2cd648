package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAucTest {
    @Test
    void aucCountsPairsWithTiesAsHalf() {
        assertEquals(1.0, RocAuc.rocAuc(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true}));
        assertEquals(0.0, RocAuc.rocAuc(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true}));
        assertEquals(0.5, RocAuc.rocAuc(new double[] {0.5, 0.5, 0.5, 0.5}, new boolean[] {false, true, false, true}));
        // pairs (p=0.4 vs n=0.1) win, (p=0.4 vs n=0.4) tie, (p=0.7 vs both) win: (1 + 0.5 + 2) / 4
        assertEquals(0.875, RocAuc.rocAuc(new double[] {0.1, 0.4, 0.4, 0.7}, new boolean[] {false, false, true, true}));
        assertTrue(Double.isNaN(RocAuc.rocAuc(new double[] {0.1, 0.2}, new boolean[] {true, true})));
    }

    @Test
    void aucEqualsTheBruteForcePairCount() {
        final Random random = new Random(5);
        final int n = 300;
        final double[] s = new double[n];
        final boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            s[i] = random.nextInt(40) / 40.0;
            y[i] = random.nextDouble() < s[i];
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] && !y[j]) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, RocAuc.rocAuc(s, y), 1e-12);
    }
}
