package io.kafkaolr.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Writes a libsvm file (and optionally the same rows as Vowpal Wabbit text) of {@code rows} rows,
 * each with {@value #DEFAULT_NNZ} distinct indices drawn uniformly from {@code [0, 2^bits)} (2^18 by
 * default), in increasing order, with values drawn from a standard normal and written to 4
 * decimals. The label of a row is drawn from a fixed logistic model: weights drawn from a normal
 * of standard deviation {@code 1/sqrt(nnz)} per index, so that a row's margin has a standard
 * deviation about 1, and {@code P(+1) = sigmoid(4 * margin)}: most rows are predictable, a few
 * are noise. Everything comes from one seed: the same arguments write the same bytes. Labels
 * are {@code +1} / {@code -1}.
 *
 * <p>{@code java -cp <test classpath> io.kafkaolr.bench.SparseFileGenerator FILE.svm [rows] [FILE.vw]}
 */
public final class SparseFileGenerator {
    public static final int DEFAULT_ROWS = 1_000_000;
    public static final int DEFAULT_NNZ = 32;
    public static final int DEFAULT_BITS = 18;
    public static final long SEED = 20261203L;

    private SparseFileGenerator() {
    }

    public static void main(final String[] args) throws IOException {
        final Path libsvm = Path.of(args[0]);
        final int rows = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ROWS;
        final Path vw = args.length > 2 ? Path.of(args[2]) : null;
        final long positives = write(libsvm, vw, rows, DEFAULT_NNZ, DEFAULT_BITS, SEED);
        System.out.printf("%s: %d rows, %d positive%n", libsvm, rows, positives);
    }

    /**
     * The benchmarks' file: {@code rows} rows of the default shape and seed written to
     * {@code libsvm} (and {@code vw} when not null), then a line saying what was written and how
     * long it took, and the JVM's heap and processors.
     */
    public static void writeForBenchmark(final Path libsvm, final Path vw, final int rows) throws IOException {
        final long start = System.nanoTime();
        final long positives = write(libsvm, vw, rows, DEFAULT_NNZ, DEFAULT_BITS, SEED);
        System.out.printf(Locale.ROOT, "generated %d rows (%d positive), %d non-zeros out of 2^%d, %,d bytes, in "
                + "%.1f s%n", rows, positives, DEFAULT_NNZ, DEFAULT_BITS, Files.size(libsvm),
                (System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "heap: max %d MB, %d processors%n", Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * Writes {@code rows} rows to {@code libsvm} and, when {@code vw} is not null, the same rows
     * to {@code vw}; returns the number of positive rows.
     */
    public static long write(final Path libsvm, final Path vw, final int rows, final int nnz, final int bits,
                             final long seed) throws IOException {
        final int dimensions = 1 << bits;
        if (nnz > dimensions) {
            throw new IllegalArgumentException(nnz + " distinct indices out of " + dimensions);
        }
        final Random random = new Random(seed);
        final double[] truth = new double[dimensions];
        final double scale = 1.0 / Math.sqrt(nnz);
        for (int j = 0; j < dimensions; j++) {
            truth[j] = random.nextGaussian() * scale;
        }
        final int[] indices = new int[nnz];
        final double[] values = new double[nnz];
        final StringBuilder features = new StringBuilder(nnz * 16);
        long positives = 0;
        try (Writer svm = newWriter(libsvm); Writer vwOut = vw == null ? null : newWriter(vw)) {
            for (int r = 0; r < rows; r++) {
                distinct(random, dimensions, indices);
                Arrays.sort(indices);
                double margin = 0;
                features.setLength(0);
                for (int k = 0; k < nnz; k++) {
                    values[k] = Math.round(random.nextGaussian() * 10_000) / 10_000.0;
                    margin += truth[indices[k]] * values[k];
                    features.append(' ').append(indices[k]).append(':').append(values[k]);
                }
                final boolean positive = random.nextDouble() < 1 / (1 + Math.exp(-4 * margin));
                positives += positive ? 1 : 0;
                svm.write(positive ? "+1" : "-1");
                svm.append(features).append('\n');
                if (vwOut != null) {
                    vwOut.write(positive ? "1 |" : "-1 |");
                    vwOut.append(features).append('\n');
                }
            }
        }
        return positives;
    }

    /** Fills {@code into} with distinct integers drawn uniformly from {@code [0, bound)}. */
    private static void distinct(final Random random, final int bound, final int[] into) {
        for (int k = 0; k < into.length; k++) {
            int candidate;
            boolean seen;
            do {
                candidate = random.nextInt(bound);
                seen = false;
                for (int i = 0; i < k && !seen; i++) {
                    seen = into[i] == candidate;
                }
            } while (seen);
            into[k] = candidate;
        }
    }

    private static Writer newWriter(final Path file) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    }
}
