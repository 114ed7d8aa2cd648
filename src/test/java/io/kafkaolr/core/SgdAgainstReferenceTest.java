package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.testing.Datasets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One pass of the learner over real data equals, to 1e-9, a straightforward dense
 * implementation written here from docs/MATH.md: eager L2 on every weight at every step, no
 * hashing (columns index the weights directly), no shared code with the learner.
 */
class SgdAgainstReferenceTest {
    private static final double TOLERANCE = 1e-9;

    @ParameterizedTest(name = "{0} eta0={1} l2={2}")
    @CsvSource({"CONSTANT, 1e-5, 0", "CONSTANT, 1e-5, 0.5", "INVSCALING, 1e-4, 1e-2"})
    void binaryWeightsAfterOnePassOverBreastCancerEqualTheReference(
            final LearningRateSchedule schedule, final double eta0, final double l2) {
        final CsvDataset data = Datasets.read("breast-cancer/train.csv");
        final List<String> columns = new ArrayList<>(data.columns().keySet());
        final ModelSettings settings = ModelSettings.binary(eta0, schedule).withL2(l2);

        final ModelState model = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();
        final FeatureHasher hasher = new FeatureHasher(settings.hashBits());
        for (final CsvDataset.Row row : data.rows()) {
            OnlineLogisticRegression.learn(model, hasher.vectorize(row.features(), 1000), row.label(), 1.0, weights);
        }

        // the reference: dense, eager
        final int d = columns.size();
        final double[] w = new double[d];
        double b = 0;
        long t = 0;
        for (final CsvDataset.Row row : data.rows()) {
            final double[] x = new double[d];
            for (int i = 0; i < d; i++) {
                x[i] = row.features().numeric().getOrDefault(columns.get(i), 0.0);
            }
            double z = b;
            for (int i = 0; i < d; i++) {
                z += w[i] * x[i];
            }
            final double p = 1.0 / (1.0 + Math.exp(-z));
            final double y = row.label().equals("1") ? 1 : 0;
            t++;
            final double eta = schedule == LearningRateSchedule.CONSTANT ? eta0 : eta0 / Math.sqrt(t);
            for (int i = 0; i < d; i++) {
                w[i] = w[i] - eta * ((p - y) * x[i] + l2 * w[i]);
            }
            b -= eta * (p - y);
        }

        assertNoCollisions(hasher, columns);
        assertEquals(data.rows().size(), model.version());
        assertClose(b, OnlineLogisticRegression.bias(model)[0], "bias");
        double largest = 0;
        for (int i = 0; i < d; i++) {
            assertClose(w[i], weights.current(model, hasher.index(columns.get(i)), 0), columns.get(i));
            largest = Math.max(largest, Math.abs(w[i]));
        }
        assertTrue(largest > 1e-3, "the pass must move the weights, largest |w| = " + largest);
    }

    @ParameterizedTest(name = "{0} eta0={1} l2={2}")
    @CsvSource({"CONSTANT, 1e-5, 0", "INVSCALING, 1e-4, 1e-2"})
    void softmaxWeightsAfterOnePassOverWineEqualTheReference(
            final LearningRateSchedule schedule, final double eta0, final double l2) {
        final CsvDataset data = Datasets.read("wine/train.csv");
        final List<String> columns = new ArrayList<>(data.columns().keySet());
        final ModelSettings settings = ModelSettings.softmax(eta0, schedule).withL2(l2);

        final ModelState model = ModelState.fresh(settings);
        final ModelRows weights = new ModelRows();
        final FeatureHasher hasher = new FeatureHasher(settings.hashBits());
        for (final CsvDataset.Row row : data.rows()) {
            OnlineLogisticRegression.learn(model, hasher.vectorize(row.features(), 1000), row.label(), 1.0, weights);
        }

        // the reference: classes in order of first appearance, dense rows, eager L2
        final int d = columns.size();
        final List<String> classes = new ArrayList<>();
        final List<double[]> w = new ArrayList<>();
        final List<double[]> b = new ArrayList<>();
        long t = 0;
        for (final CsvDataset.Row row : data.rows()) {
            if (!classes.contains(row.label())) {
                classes.add(row.label());
                w.add(new double[d]);
                b.add(new double[1]);
            }
            final int k = classes.size();
            final double[] x = new double[d];
            for (int i = 0; i < d; i++) {
                x[i] = row.features().numeric().getOrDefault(columns.get(i), 0.0);
            }
            final double[] z = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                z[c] = b.get(c)[0];
                for (int i = 0; i < d; i++) {
                    z[c] += w.get(c)[i] * x[i];
                }
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            final double[] p = new double[k];
            for (int c = 0; c < k; c++) {
                p[c] = Math.exp(z[c] - max);
                sum += p[c];
            }
            t++;
            final double eta = schedule == LearningRateSchedule.CONSTANT ? eta0 : eta0 / Math.sqrt(t);
            for (int c = 0; c < k; c++) {
                final double g = p[c] / sum - (classes.get(c).equals(row.label()) ? 1 : 0);
                for (int i = 0; i < d; i++) {
                    w.get(c)[i] = w.get(c)[i] - eta * (g * x[i] + l2 * w.get(c)[i]);
                }
                b.get(c)[0] -= eta * g;
            }
        }

        assertNoCollisions(hasher, columns);
        assertEquals(classes, model.classes());
        assertEquals(3, classes.size());
        for (int c = 0; c < classes.size(); c++) {
            assertClose(b.get(c)[0], OnlineLogisticRegression.bias(model)[c], "bias of " + classes.get(c));
            for (int i = 0; i < d; i++) {
                assertClose(w.get(c)[i], weights.current(model, hasher.index(columns.get(i)), c),
                        columns.get(i) + " of " + classes.get(c));
            }
        }
    }

    private static void assertNoCollisions(final FeatureHasher hasher, final List<String> names) {
        final Set<Integer> seen = new HashSet<>();
        for (final String name : names) {
            assertTrue(seen.add(hasher.index(name)), "hash collision at " + name);
        }
    }

    private static void assertClose(final double expected, final double actual, final String what) {
        assertEquals(expected, actual, TOLERANCE * Math.max(1.0, Math.abs(expected)), what);
    }
}
