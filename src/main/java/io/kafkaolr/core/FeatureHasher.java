package io.kafkaolr.core;

import java.util.Map;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * Maps named features to indices of a vector of dimension {@code 2^bits}: the hashing trick.
 *
 * <p>The index of a name is the low {@code bits} bits of MurmurHash3 (x86, 32-bit) of its UTF-8
 * bytes with seed {@link #SEED}. A numeric feature {@code name -> v} contributes {@code v} at
 * {@code index(name)}; a categorical feature {@code name -> value} contributes 1 at
 * {@code index(name + "=" + value)}. Names that collide share one coordinate (values add).
 */
public final class FeatureHasher {
    /** The fixed hash seed. Part of the model: changing it changes every index. */
    public static final int SEED = 0;
    /** The default number of bits: 2^18 = 262,144 dimensions. */
    public static final int DEFAULT_BITS = 18;
    /** Largest supported number of bits. */
    public static final int MAX_BITS = 30;
    /** The first index no feature hashes to, whatever the bits: rows from here on hold model-wide state. */
    public static final int FIRST_MODEL_ROW = 1 << MAX_BITS;

    private final int bits;
    private final int mask;

    /** A hasher onto {@code 2^bits} dimensions, {@code 1 <= bits <= 30}. */
    public FeatureHasher(final int bits) {
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException("hash bits must be in [1, " + MAX_BITS + "], got " + bits);
        }
        this.bits = bits;
        this.mask = (1 << bits) - 1;
    }

    /** The number of bits. */
    public int bits() {
        return bits;
    }

    /**
     * The index of a feature name. The UTF-8 bytes are hashed as they are encoded, with nothing
     * allocated; a {@code CharSequence} that decodes itself on {@code charAt} (Avro's
     * {@code Utf8}) is better hashed through {@link #indexOfUtf8}.
     */
    public int index(final CharSequence name) {
        // a mask of the low bits equals floorMod(hash, 2^bits): never negative
        return Utf8Murmur3.hash(name, SEED) & mask;
    }

    /**
     * The index of a categorical feature: that of {@link #categoricalName categoricalName(name, value)},
     * without building it.
     */
    public int categoricalIndex(final CharSequence name, final CharSequence value) {
        return Utf8Murmur3.hash(name, value, SEED) & mask;
    }

    /**
     * The index of the name whose UTF-8 encoding is {@code bytes[offset, offset + length)}: for
     * names that arrive already encoded, such as Avro's {@code Utf8}, hashed without decoding.
     */
    public int indexOfUtf8(final byte[] bytes, final int offset, final int length) {
        return MurmurHash3.hash32x86(bytes, offset, length, SEED) & mask;
    }

    /**
     * The whole 32-bit hash of the name whose UTF-8 encoding is {@code bytes[offset, offset + length)}:
     * what {@link #indexOfHash} turns into the index of any number of bits. For readers that keep a
     * name's hash to tell names apart before they know the model's bits.
     */
    public static int hashOfUtf8(final byte[] bytes, final int offset, final int length) {
        return MurmurHash3.hash32x86(bytes, offset, length, SEED);
    }

    /** The index of a name whose {@link #hashOfUtf8} is {@code hash}. */
    public int indexOfHash(final int hash) {
        return hash & mask;
    }

    /** The name under which a categorical value is hashed. */
    public static String categoricalName(final String name, final String value) {
        return name + "=" + value;
    }

    /**
     * Validates and hashes features into a sparse vector.
     *
     * @param maxFeatures the largest number of named features accepted
     * @throws RejectedInputException if a value is NaN or infinite, or there are too many features
     */
    public SparseVector vectorize(final Features features, final int maxFeatures) {
        return hash(features, maxFeatures).vector();
    }

    /**
     * A record's features hashed: the sparse vector, and the index of each named feature in the
     * order {@link Features} lists them (numeric, then categorical as {@code name=value}).
     */
    public record Hashed(SparseVector vector, int[] nameIndices) {
    }

    /** Like {@link #vectorize}, also giving each name's index, so that no name is hashed twice. */
    public Hashed hash(final Features features, final int maxFeatures) {
        final int count = features.count();
        if (count > maxFeatures) {
            throw new RejectedInputException(RejectReason.TOO_MANY_FEATURES,
                    count + " features, more than the limit of " + maxFeatures);
        }
        // new arrays per call, not a reused scratch: the indices are handed back in Hashed, and a
        // FeatureHasher is immutable and shared as a constant in places, across threads
        final int[] indices = new int[count];
        final double[] values = new double[count];
        int k = 0;
        for (final Map.Entry<String, Double> e : features.numeric().entrySet()) {
            final Double value = e.getValue();
            if (value == null) {
                throw new RejectedInputException(RejectReason.MISSING_FIELD,
                        "numeric feature '" + e.getKey() + "' has no value");
            }
            if (!Double.isFinite(value)) {
                throw new RejectedInputException(RejectReason.NON_FINITE_VALUE,
                        "numeric feature '" + e.getKey() + "' is " + value);
            }
            indices[k] = index(e.getKey());
            values[k] = value;
            k++;
        }
        for (final Map.Entry<String, String> e : features.categorical().entrySet()) {
            if (e.getValue() == null) {
                throw new RejectedInputException(RejectReason.MISSING_FIELD,
                        "categorical feature '" + e.getKey() + "' has no value");
            }
            indices[k] = categoricalIndex(e.getKey(), e.getValue());
            values[k] = 1.0;
            k++;
        }
        return new Hashed(SparseVector.of(indices, values), indices);
    }
}
