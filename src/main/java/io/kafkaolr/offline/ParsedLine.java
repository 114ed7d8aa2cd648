package io.kafkaolr.offline;

import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row as a line parser leaves it, reused from line to line: for libsvm and VW, the label,
 * the tag and each feature's namespace and name as ranges of the line's bytes, with each name's
 * hash and value, so that a replay hashes and learns a row without building a {@code String} or
 * a map entry per feature; for JSON lines, the record's features as decoded.
 *
 * <p>A feature of namespace {@code ns} (a VW namespace; none for libsvm) is named
 * {@code ns^name}, without a namespace just {@code name}; its hash is that of the name's UTF-8
 * bytes ({@link FeatureHasher#hashOfUtf8}), so the index a model gives it is the index
 * {@link FeatureHasher#index} gives the name as a string. The same name twice on one line is
 * refused; names are told apart by hash first and by bytes only when hashes meet.
 */
final class ParsedLine {
    private static final int NO_TAG = -1;
    private static final int LABELS_KEPT = 64;

    private byte[] bytes;
    private long number;
    private int labelFrom;
    private int labelTo;
    private double importance;
    private int tagFrom;
    private int tagTo;

    /** The JSON record's features, label and id; null for libsvm and VW lines. */
    private Features features;
    private String recordLabel;
    private String recordId;
    private Object decoded;

    private int count;
    private int[] nsFrom = new int[64];
    private int[] nsTo = new int[64];
    private int[] nameFrom = new int[64];
    private int[] nameTo = new int[64];
    private int[] hashes = new int[64];
    private double[] values = new double[64];
    /** The model indices of the last {@link #vector}, one per feature in line order. */
    private int[] indices = new int[64];
    private List<String> recordNames;
    /**
     * The features of the last {@link #vector} made with feature crosses, and the crosses: the
     * line's features, crosses included, are then those {@link FeatureHasher#names} lists; null
     * otherwise.
     */
    private Features crossed;
    private Interactions crossedWith;
    private int crossedCount;
    private List<String> crossedNames;

    /** Feature positions by hash, open addressing; a bucket is in use when its stamp is the current line's. */
    private int[] table = new int[128];
    private int[] stamps = new int[128];
    private int stamp;
    private byte[] scratch = new byte[256];

    private final byte[][] labelBytes = new byte[LABELS_KEPT][];
    private final String[] labelTexts = new String[LABELS_KEPT];
    private int labelsKept;

    /** Starts the next line: {@code bytes} holds it; no features yet, importance 1, no tag. */
    void reset(final byte[] line, final long lineNumber) {
        bytes = line;
        number = lineNumber;
        count = 0;
        importance = 1.0;
        tagFrom = NO_TAG;
        features = null;
        decoded = null;
        recordNames = null;
        crossed = null;
        crossedNames = null;
        if (++stamp == 0) {
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
    }

    void label(final int from, final int to) {
        labelFrom = from;
        labelTo = to;
    }

    void importance(final double value) {
        importance = value;
    }

    void tag(final int from, final int to) {
        tagFrom = from;
        tagTo = to;
    }

    /** A JSON labeled example, and its features. */
    void record(final LabeledExample example, final Features exampleFeatures) {
        recordLabel = example.getLabel();
        importance = example.getImportance();
        features = exampleFeatures;
        recordId = example.getId();
        decoded = example;
    }

    /** A JSON event: no label; {@link #decoded} is the event. */
    void event(final Event event) {
        recordLabel = null;
        features = new Features(event.getNumericFeatures(), event.getCategoricalFeatures());
        recordId = event.getId();
        decoded = event;
    }

    /** The JSON record as decoded ({@link LabeledExample} or {@link Event}); null for libsvm and VW lines. */
    Object decoded() {
        return decoded;
    }

    /**
     * Adds feature {@code ns^name} ({@code name} when the namespace range is empty) with
     * {@code value}; false, adding nothing, when the line already has a feature of that name.
     */
    boolean add(final int namespaceFrom, final int namespaceTo, final int from, final int to, final double value) {
        final int hash;
        if (namespaceFrom == namespaceTo) {
            hash = FeatureHasher.hashOfUtf8(bytes, from, to - from);
        } else {
            final int nsLength = namespaceTo - namespaceFrom;
            final int length = nsLength + 1 + to - from;
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, 2 * scratch.length)];
            }
            System.arraycopy(bytes, namespaceFrom, scratch, 0, nsLength);
            scratch[nsLength] = '^';
            System.arraycopy(bytes, from, scratch, nsLength + 1, to - from);
            hash = FeatureHasher.hashOfUtf8(scratch, 0, length);
        }
        if (2 * (count + 1) > table.length) {
            growTable();
        }
        final int mask = table.length - 1;
        int bucket = mix(hash) & mask;
        while (stamps[bucket] == stamp) {
            final int other = table[bucket];
            if (hashes[other] == hash && sameName(other, namespaceFrom, namespaceTo, from, to)) {
                return false;
            }
            bucket = (bucket + 1) & mask;
        }
        if (count == hashes.length) {
            growFeatures();
        }
        nsFrom[count] = namespaceFrom;
        nsTo[count] = namespaceTo;
        nameFrom[count] = from;
        nameTo[count] = to;
        hashes[count] = hash;
        values[count] = value;
        stamps[bucket] = stamp;
        table[bucket] = count;
        count++;
        return true;
    }

    /** The line number, from 1. */
    long number() {
        return number;
    }

    /** The label as written; the same {@code String} each time the same label text comes back. */
    String label() {
        if (features != null) {
            return recordLabel;
        }
        final int length = labelTo - labelFrom;
        for (int i = 0; i < labelsKept; i++) {
            final byte[] kept = labelBytes[i];
            if (kept.length == length && Arrays.equals(kept, 0, length, bytes, labelFrom, labelTo)) {
                return labelTexts[i];
            }
        }
        final String text = LineNumbers.text(bytes, labelFrom, labelTo);
        if (labelsKept < LABELS_KEPT) {
            labelBytes[labelsKept] = Arrays.copyOfRange(bytes, labelFrom, labelTo);
            labelTexts[labelsKept++] = text;
        }
        return text;
    }

    double importance() {
        return importance;
    }

    /** The number of features on the line. */
    int featureCount() {
        if (crossed != null) {
            return crossedCount;
        }
        return features != null ? features.count() : count;
    }

    /**
     * The row's features hashed into {@code hasher}'s index space, as {@link FeatureHasher#vectorize}
     * hashes the same features named as {@link #name} names them; afterwards {@link #index} gives
     * each feature's index.
     *
     * @throws RejectedInputException when there are more than {@code maxFeatures} features
     */
    SparseVector vector(final FeatureHasher hasher, final int maxFeatures) {
        return vector(hasher, maxFeatures, Interactions.NONE);
    }

    /**
     * As {@link #vector(FeatureHasher, int)}, with the feature crosses {@code interactions} of the
     * model: a line with crosses is hashed by the core's one hashing of {@link Features}, as the
     * processors hash it, its features built as {@link #toRow} builds them; afterwards
     * {@link #featureCount}, {@link #index} and {@link #name} cover the crosses too.
     */
    SparseVector vector(final FeatureHasher hasher, final int maxFeatures, final Interactions interactions) {
        crossed = null;
        crossedNames = null;
        if (!interactions.isEmpty()) {
            final Features row = features != null ? features : toRow().features();
            final FeatureHasher.Hashed hashed = hasher.hash(row, maxFeatures, interactions);
            indices = hashed.nameIndices();
            crossed = row;
            crossedWith = interactions;
            crossedCount = indices.length;
            return hashed.vector();
        }
        if (features != null) {
            final FeatureHasher.Hashed hashed = hasher.hash(features, maxFeatures);
            indices = hashed.nameIndices();
            return hashed.vector();
        }
        if (count > maxFeatures) {
            throw new RejectedInputException(RejectReason.TOO_MANY_FEATURES,
                    count + " features, more than the limit of " + maxFeatures);
        }
        if (indices.length < count) {
            indices = new int[hashes.length];
        }
        for (int k = 0; k < count; k++) {
            indices[k] = hasher.indexOfHash(hashes[k]);
        }
        return SparseVector.of(indices, values, count);
    }

    /** The index of feature {@code k} (in line order) in the last {@link #vector}. */
    int index(final int k) {
        return indices[k];
    }

    /** The name of feature {@code k}, in line order: {@code ns^name}, or {@code name} without a namespace. */
    String name(final int k) {
        if (crossed != null) {
            if (crossedNames == null) {
                crossedNames = FeatureHasher.names(crossed, crossedWith);
            }
            return crossedNames.get(k);
        }
        if (features != null) {
            if (recordNames == null) {
                recordNames = features.names();
            }
            return recordNames.get(k);
        }
        final String name = LineNumbers.text(bytes, nameFrom[k], nameTo[k]);
        return nsFrom[k] == nsTo[k] ? name : LineNumbers.text(bytes, nsFrom[k], nsTo[k]) + "^" + name;
    }

    /** The row as a {@link LabeledRow}: names and label as strings, features in line order. */
    LabeledRow toRow() {
        if (features != null) {
            return new LabeledRow(recordLabel, importance, features, recordId, number);
        }
        final Map<String, Double> numeric = new LinkedHashMap<>(2 * count);
        for (int k = 0; k < count; k++) {
            numeric.put(name(k), values[k]);
        }
        return new LabeledRow(label(), importance, new Features(numeric, Map.of()),
                tagFrom == NO_TAG ? null : LineNumbers.text(bytes, tagFrom, tagTo), number);
    }

    /** Whether feature {@code k} is named {@code ns^name} by these ranges (compared byte by byte, the '^' included). */
    private boolean sameName(final int k, final int namespaceFrom, final int namespaceTo, final int from,
                             final int to) {
        final int lengthK = fullLength(nsFrom[k], nsTo[k], nameFrom[k], nameTo[k]);
        if (lengthK != fullLength(namespaceFrom, namespaceTo, from, to)) {
            return false;
        }
        for (int i = 0; i < lengthK; i++) {
            if (byteOf(nsFrom[k], nsTo[k], nameFrom[k], i) != byteOf(namespaceFrom, namespaceTo, from, i)) {
                return false;
            }
        }
        return true;
    }

    private static int fullLength(final int namespaceFrom, final int namespaceTo, final int from, final int to) {
        return namespaceFrom == namespaceTo ? to - from : namespaceTo - namespaceFrom + 1 + to - from;
    }

    /** Byte {@code i} of the full name {@code ns^name}. */
    private byte byteOf(final int namespaceFrom, final int namespaceTo, final int from, final int i) {
        if (namespaceFrom == namespaceTo) {
            return bytes[from + i];
        }
        final int nsLength = namespaceTo - namespaceFrom;
        return i < nsLength ? bytes[namespaceFrom + i] : i == nsLength ? (byte) '^' : bytes[from + i - nsLength - 1];
    }

    /** Spreads a hash's bits over the low ones the table uses (a name's hash is already good; this is cheap insurance). */
    private static int mix(final int hash) {
        return hash ^ (hash >>> 16);
    }

    private void growTable() {
        final int size = table.length * 2;
        table = new int[size];
        stamps = new int[size];
        final int mask = size - 1;
        for (int k = 0; k < count; k++) {
            int bucket = mix(hashes[k]) & mask;
            while (stamps[bucket] == stamp) {
                bucket = (bucket + 1) & mask;
            }
            stamps[bucket] = stamp;
            table[bucket] = k;
        }
    }

    private void growFeatures() {
        final int size = 2 * hashes.length;
        nsFrom = Arrays.copyOf(nsFrom, size);
        nsTo = Arrays.copyOf(nsTo, size);
        nameFrom = Arrays.copyOf(nameFrom, size);
        nameTo = Arrays.copyOf(nameTo, size);
        hashes = Arrays.copyOf(hashes, size);
        values = Arrays.copyOf(values, size);
    }
}
