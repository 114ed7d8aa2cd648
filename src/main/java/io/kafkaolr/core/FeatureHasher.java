package io.kafkaolr.core;

import java.util.Arrays;
import java.util.List;
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
        return hash(features, maxFeatures, Interactions.NONE).vector();
    }

    /**
     * Validates and hashes features, and their crosses, into a sparse vector.
     *
     * @param maxFeatures the largest number of features accepted, crosses included
     * @throws RejectedInputException if a value or a cross is NaN or infinite, or there are too
     *     many features
     */
    public SparseVector vectorize(final Features features, final int maxFeatures, final Interactions interactions) {
        return hash(features, maxFeatures, interactions).vector();
    }

    /**
     * A record's features hashed: the sparse vector, and the index of each feature in the order
     * {@link #names} lists them (numeric, then categorical as {@code name=value}, then the crosses).
     */
    public record Hashed(SparseVector vector, int[] nameIndices) {
    }

    /** Like {@link #vectorize}, also giving each name's index, so that no name is hashed twice. */
    public Hashed hash(final Features features, final int maxFeatures) {
        return hash(features, maxFeatures, Interactions.NONE);
    }

    /** Like {@link #vectorize(Features, int, Interactions)}, also giving each name's index. */
    public Hashed hash(final Features features, final int maxFeatures, final Interactions interactions) {
        final int count = features.count();
        if (count > maxFeatures) {
            throw new RejectedInputException(RejectReason.TOO_MANY_FEATURES,
                    count + " features, more than the limit of " + maxFeatures);
        }
        final Record r = new Record(count, interactions);
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
            r.put(k++, e.getKey(), null, index(e.getKey()), value);
        }
        for (final Map.Entry<String, String> e : features.categorical().entrySet()) {
            if (e.getValue() == null) {
                throw new RejectedInputException(RejectReason.MISSING_FIELD,
                        "categorical feature '" + e.getKey() + "' has no value");
            }
            r.put(k++, e.getKey(), e.getValue(), categoricalIndex(e.getKey(), e.getValue()), 1.0);
        }
        if (interactions.isEmpty()) {
            return new Hashed(SparseVector.of(r.indices, r.values), r.indices);
        }
        final int total = r.total(maxFeatures);
        // new arrays per call, not a reused scratch: the indices are handed back in Hashed, and a
        // FeatureHasher is immutable and shared as a constant in places, across threads
        final int[] indices = Arrays.copyOf(r.indices, total);
        final double[] values = Arrays.copyOf(r.values, total);
        final int[] at = {count};
        r.forEachCross((x, y) -> {
            final double value = r.values[x] * r.values[y];
            if (!Double.isFinite(value)) {
                throw new RejectedInputException(RejectReason.NON_FINITE_VALUE, "the cross "
                        + Interactions.crossName(r.name(x), r.name(y)) + " is " + value);
            }
            indices[at[0]] = Utf8Murmur3.hash(r.names[x], r.categories[x], r.names[y], r.categories[y], SEED) & mask;
            values[at[0]++] = value;
        });
        return new Hashed(SparseVector.of(indices, values), indices);
    }

    /**
     * The names of a record's features, in the order of {@link Hashed#nameIndices}: the numeric
     * ones, the categorical ones as {@code name=value}, then the crosses as {@code a*b}, each of
     * which hashes ({@link #index}) to the index its feature was given.
     */
    public static List<String> names(final Features features, final Interactions interactions) {
        final List<String> names = features.names();
        if (interactions.isEmpty()) {
            return names;
        }
        final Record r = new Record(features.count(), interactions);
        int k = 0;
        for (final Map.Entry<String, Double> e : features.numeric().entrySet()) {
            r.put(k++, e.getKey(), null, 0, 0.0);
        }
        for (final Map.Entry<String, String> e : features.categorical().entrySet()) {
            r.put(k++, e.getKey(), e.getValue(), 0, 0.0);
        }
        r.total(Integer.MAX_VALUE);
        r.forEachCross((x, y) -> names.add(Interactions.crossName(r.name(x), r.name(y))));
        return names;
    }

    /**
     * One record's features as the crosses read them: each one's name, categorical value (null
     * for a numeric feature), index, value and namespace slot, and after {@link #total} the
     * features of each namespace slot, in the record's order, as {@code members[start[s], start[s + 1])}.
     */
    private static final class Record {
        private final Interactions interactions;
        private final String[] names;
        private final String[] categories;
        private final int[] indices;
        private final double[] values;
        private final int[] slots;
        private int[] members;
        private int[] start;

        private Record(final int count, final Interactions interactions) {
            this.interactions = interactions;
            this.indices = new int[count];
            this.values = new double[count];
            final boolean crossed = !interactions.isEmpty();
            this.names = crossed ? new String[count] : null;
            this.categories = crossed ? new String[count] : null;
            this.slots = crossed ? new int[count] : null;
        }

        private void put(final int k, final String name, final String category, final int index, final double value) {
            indices[k] = index;
            values[k] = value;
            if (names != null) {
                names[k] = name;
                categories[k] = category;
                slots[k] = interactions.slotOf(name);
            }
        }

        /**
         * Groups the features by namespace slot and returns the number of features, crosses
         * included.
         *
         * @throws RejectedInputException if that is more than {@code maxFeatures}
         */
        private int total(final int maxFeatures) {
            final int slotCount = interactions.namespaceCount();
            start = new int[slotCount + 1];
            for (final int s : slots) {
                if (s >= 0) {
                    start[s + 1]++;
                }
            }
            final int[] perSlot = new int[slotCount];
            for (int s = 0; s < slotCount; s++) {
                perSlot[s] = start[s + 1];
                start[s + 1] += start[s];
            }
            members = new int[start[slotCount]];
            final int[] next = Arrays.copyOf(start, slotCount);
            for (int k = 0; k < slots.length; k++) {
                if (slots[k] >= 0) {
                    members[next[slots[k]]++] = k;
                }
            }
            final long total = indices.length + interactions.crossCount(perSlot);
            if (total > maxFeatures) {
                throw new RejectedInputException(RejectReason.TOO_MANY_FEATURES, total + " features with the crosses"
                        + " of the model's interactions (" + indices.length + " named, "
                        + (total - indices.length) + " crossed), more than the limit of " + maxFeatures);
            }
            return (int) total;
        }

        /** What is done with each cross: its two features, in the order its name gives them. */
        @FunctionalInterface
        private interface CrossAction {
            void cross(int first, int second);
        }

        /**
         * Each cross of the interactions, after {@link #total}, in the order of {@link #names}:
         * pair by pair, every feature of the first namespace with every one of the second (of a
         * self-cross, each unordered pair once, a feature with itself included, the smaller
         * name first, so that the order the features came in does not change the name).
         */
        private void forEachCross(final CrossAction action) {
            for (int p = 0; p < interactions.pairs(); p++) {
                final int sa = interactions.firstSlot(p);
                final int sb = interactions.secondSlot(p);
                for (int i = start[sa]; i < start[sa + 1]; i++) {
                    final int a = members[i];
                    for (int j = sa == sb ? i : start[sb]; j < start[sb + 1]; j++) {
                        final int b = members[j];
                        final boolean swap = sa == sb && compare(a, b) > 0;
                        action.cross(swap ? b : a, swap ? a : b);
                    }
                }
            }
        }

        /** The name feature {@code k} is hashed by (built: for messages and name lists only). */
        private String name(final int k) {
            return categories[k] == null ? names[k] : categoricalName(names[k], categories[k]);
        }

        /** {@link String#compareTo} of the names of features {@code a} and {@code b}, without building them. */
        private int compare(final int a, final int b) {
            final int la = length(a);
            final int lb = length(b);
            final int n = Math.min(la, lb);
            for (int i = 0; i < n; i++) {
                final char ca = charAt(a, i);
                final char cb = charAt(b, i);
                if (ca != cb) {
                    return ca - cb;
                }
            }
            return la - lb;
        }

        private int length(final int k) {
            return categories[k] == null ? names[k].length() : names[k].length() + 1 + categories[k].length();
        }

        private char charAt(final int k, final int i) {
            final String name = names[k];
            if (i < name.length()) {
                return name.charAt(i);
            }
            return i == name.length() ? '=' : categories[k].charAt(i - name.length() - 1);
        }
    }
}
