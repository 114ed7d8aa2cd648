package io.kafkaolr.serde;

import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.Normalization;
import io.kafkaolr.core.Optimizer;
import io.kafkaolr.core.ProgressiveMetrics;
import io.kafkaolr.core.WeightRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of model state: a weight row, a model's header ({@link ModelState}), a row's feature
 * names and an AUC-window entry, compact binary, each starting with a format version that readers
 * check; and the index space they are known by in exports and imports (the header at
 * {@link #HEADER_INDEX}, rows from 0, names and window entries below), which was also the key
 * layout of the model topic before layout 4 ({@link ModelTopicFormat}, docs/MODEL-TOPIC.md).
 *
 * <p>That earlier key layout: the model id in UTF-8, a zero byte, the index as 4 big-endian
 * bytes. All keys of one model, in either layout, share the prefix {@code id + 0x00}
 * ({@link #modelPrefix}), so a model is one contiguous range of the store.
 */
public final class ModelStateCodec {
    /** The index under which a model's header is stored. */
    public static final int HEADER_INDEX = -1;
    private static final int FIRST_NAMES_OFFSET = 1 << 30;
    // an AUC-window entry: the probability (8 bytes), then whether the label was positive (1 byte)
    private static final int WINDOW_ENTRY_BYTES = 9;
    private static final byte ROW_FORMAT = 3;
    private static final byte HEADER_FORMAT = (byte) ModelState.FORMAT_VERSION;
    // format 3 and the model's feature crosses after allow_new_classes: written only for a model
    // that has crosses, so a model without keeps the format 3 every earlier version reads, and
    // a reader that knows no crosses refuses a model with crosses instead of scoring it without them
    private static final byte HEADER_FORMAT_CROSSES = 4;

    private ModelStateCodec() {
    }

    /**
     * The index of the AUC-window entry of a binary model's update {@code version}: the window
     * of {@code window} entries occupies indices {@code -2} down to {@code -1 - window}, a ring
     * in update order, so each update overwrites the entry of update {@code version - window}.
     */
    public static int windowIndex(final long version, final int window) {
        return -2 - (int) ((version - 1) % window);
    }

    /** Whether {@code index} is that of a weight row (not the header or an AUC-window entry). */
    public static boolean isRow(final int index) {
        return index >= 0;
    }

    /**
     * The index of the entry that names the features of row {@code rowIndex}: the rows' indices
     * shifted into {@code [-2^31, -2^30]}, below every AUC-window index (the window is at most
     * 10^6 entries).
     */
    public static int namesIndex(final int rowIndex) {
        if (rowIndex < 0 || rowIndex > FIRST_NAMES_OFFSET) {
            throw new IllegalArgumentException("not a row index: " + rowIndex);
        }
        return Integer.MIN_VALUE + rowIndex;
    }

    /** Whether {@code index} is that of a names entry ({@link #namesIndex}). */
    public static boolean isNames(final int index) {
        return index <= Integer.MIN_VALUE + FIRST_NAMES_OFFSET;
    }

    /** The row that the names entry at {@code index} names. */
    public static int namedRow(final int index) {
        return index - Integer.MIN_VALUE;
    }

    /** Encodes the feature names of one row, in the order they were first seen. */
    public static byte[] encodeNames(final List<String> names) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
            final DataOutputStream out = new DataOutputStream(bytes);
            writeStrings(out, names);
            out.flush();
            return bytes.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    /** Decodes a names entry. */
    public static List<String> decodeNames(final byte[] bytes) {
        try {
            return readStrings(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (final IOException e) {
            throw new IllegalArgumentException("corrupt names entry: " + e, e);
        }
    }

    /** Encodes an AUC-window entry: the progressive probability of the positive class, and whether it was positive. */
    public static byte[] encodeWindowEntry(final double positiveProbability, final boolean positive) {
        return ByteBuffer.allocate(WINDOW_ENTRY_BYTES).putDouble(positiveProbability).put((byte) (positive ? 1 : 0))
                .array();
    }

    /** Whether {@code entry} has the size of an AUC-window entry. */
    public static boolean isWindowEntry(final byte[] entry) {
        return entry.length == WINDOW_ENTRY_BYTES;
    }

    /** The probability of an AUC-window entry. */
    public static double windowProbability(final byte[] entry) {
        return ByteBuffer.wrap(entry).getDouble();
    }

    /** Whether an AUC-window entry's example was positive. */
    public static boolean windowPositive(final byte[] entry) {
        return entry[8] != 0;
    }

    /** A decoded key. */
    public record Key(String modelId, int index) {
        /** Whether this is the key of the model's header. */
        public boolean isHeader() {
            return index == HEADER_INDEX;
        }
    }

    /** The key of {@code index} in model {@code modelId}. */
    public static byte[] key(final String modelId, final int index) {
        return key(modelPrefix(modelId), index);
    }

    /**
     * The key of {@code index} in the model whose {@link #modelPrefix} is {@code prefix}: for
     * callers that build many keys of one model, so that the id is encoded once.
     */
    public static byte[] key(final byte[] prefix, final int index) {
        return ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt(index).array();
    }

    /** The key of a model's header. */
    public static byte[] headerKey(final String modelId) {
        return key(modelId, HEADER_INDEX);
    }

    /** The first key of a model: every key of the model starts with these bytes. */
    public static byte[] modelPrefix(final String modelId) {
        final byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(id.length + 1).put(id).put((byte) 0).array();
    }

    /** Whether {@code key} has the layout of a model key (model id, a zero byte, an index). */
    public static boolean isModelKey(final byte[] key) {
        return key.length >= 5 && key[key.length - 5] == 0;
    }

    /** The model id if {@code key} is a model's header key, else null (another entry, or not a model key). */
    public static String headerModelId(final byte[] key) {
        // the index first: most keys are rows, and their model id is not decoded
        if (!isModelKey(key) || ByteBuffer.wrap(key, key.length - 4, 4).getInt() != HEADER_INDEX) {
            return null;
        }
        return decodeKey(key).modelId();
    }

    /** Decodes a key. */
    public static Key decodeKey(final byte[] key) {
        if (!isModelKey(key)) {
            throw new IllegalArgumentException("not a model key: " + key.length + " bytes");
        }
        final String id = new String(key, 0, key.length - 5, StandardCharsets.UTF_8);
        return new Key(id, ByteBuffer.wrap(key, key.length - 4, 4).getInt());
    }

    /** Encodes a weight row. */
    public static byte[] encodeRow(final WeightRow row) {
        final double[] clock = row.clock();
        final double[] slots = row.slots();
        final double[] pending = row.pending();
        // 0: no statistics; 1: count and sum of squares; 2: and the mean and squared deviations
        final int statistics = !Double.isNaN(row.mean()) ? 2 : row.seen() != 0 || row.sumSquares() != 0 ? 1 : 0;
        final ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + 1 + 8 * clock.length + 1 + 16 * statistics
                + 4 + 8 * slots.length + 4 + 8 * pending.length);
        buffer.put(ROW_FORMAT).putLong(row.step()).put((byte) clock.length);
        for (final double v : clock) {
            buffer.putDouble(v);
        }
        buffer.put((byte) statistics);
        if (statistics > 0) {
            buffer.putDouble(row.seen()).putDouble(row.sumSquares());
        }
        if (statistics > 1) {
            buffer.putDouble(row.mean()).putDouble(row.squaredDeviations());
        }
        buffer.putInt(slots.length);
        for (final double v : slots) {
            buffer.putDouble(v);
        }
        buffer.putInt(pending.length);
        for (final double v : pending) {
            buffer.putDouble(v);
        }
        return buffer.array();
    }

    /**
     * Decodes a weight row, of this format, of format 2 (the same without standardisation
     * statistics and mini-batch gradients) or of format 1 (SGD weights with their L2 log-scale).
     */
    public static WeightRow decodeRow(final byte[] bytes) {
        try {
            return decodeRowUnchecked(bytes);
        } catch (final BufferUnderflowException e) {
            throw new IllegalArgumentException("corrupt weight row: " + bytes.length + " bytes end too soon", e);
        }
    }

    private static WeightRow decodeRowUnchecked(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final byte format = buffer.get();
        if (format == 1) {
            final double logScale = buffer.getDouble();
            return new WeightRow(0, new double[] {logScale, 0.0}, 0, 0, readDoubles(buffer, buffer.getInt()));
        }
        checkFormat(format, ROW_FORMAT, "weight row");
        final long step = buffer.getLong();
        final double[] clock = readDoubles(buffer, buffer.get());
        final int statistics = buffer.get();
        final double seen = statistics > 0 ? buffer.getDouble() : 0;
        final double sumSquares = statistics > 0 ? buffer.getDouble() : 0;
        final double mean = statistics > 1 ? buffer.getDouble() : Double.NaN;
        final double squaredDeviations = statistics > 1 ? buffer.getDouble() : Double.NaN;
        final double[] slots = readDoubles(buffer, buffer.getInt());
        final double[] pending = format == 2 ? WeightRow.NONE : readDoubles(buffer, buffer.getInt());
        return new WeightRow(step, clock, seen, sumSquares, mean, squaredDeviations, slots, pending);
    }

    private static double[] readDoubles(final ByteBuffer buffer, final int count) {
        if (count == 0) {
            return WeightRow.NONE;
        }
        requireCount(count, buffer.remaining(), Double.BYTES);
        final double[] values = new double[count];
        for (int k = 0; k < count; k++) {
            values[k] = buffer.getDouble();
        }
        return values;
    }

    /** Encodes a model header. */
    public static byte[] encodeHeader(final ModelState model) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
            final DataOutputStream out = new DataOutputStream(bytes);
            final ModelSettings s = model.settings();
            final boolean crosses = !s.interactions().isEmpty();
            out.writeByte(crosses ? HEADER_FORMAT_CROSSES : HEADER_FORMAT);
            out.writeUTF(s.type().name());
            out.writeInt(s.hashBits());
            out.writeUTF(s.optimizer().name());
            out.writeDouble(s.learningRate());
            out.writeUTF(s.schedule().name());
            out.writeDouble(s.powerT());
            out.writeDouble(s.l1());
            out.writeDouble(s.l2());
            out.writeDouble(s.ftrlBeta());
            out.writeUTF(s.normalization().name());
            out.writeInt(s.batchSize());
            out.writeDouble(s.labelClip());
            out.writeInt(s.maxDimension());
            writeStrings(out, s.initialClasses());
            out.writeBoolean(s.allowNewClasses());
            if (crosses) {
                out.writeUTF(s.interactions().spec());
            }
            writeStrings(out, model.classes());
            out.writeLong(model.version());
            writeDoubles(out, model.clock());
            writeDoubles(out, model.biasState());
            writeDoubles(out, model.pendingBias());
            final ProgressiveMetrics m = model.metrics();
            out.writeLong(m.examples());
            out.writeDouble(m.weightSum());
            out.writeDouble(m.lossSum());
            out.writeDouble(m.correctWeight());
            final long[] counts = model.classCounts();
            out.writeInt(counts.length);
            for (final long c : counts) {
                out.writeLong(c);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    /**
     * Decodes a model header: of format 4 (format 3 with feature crosses), of format 3 (no
     * crosses), of format 2 (normalisation on or off) or of format 1 (SGD models without L1 or
     * normalisation).
     */
    public static ModelState decodeHeader(final byte[] bytes) {
        try {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            final byte format = in.readByte();
            if (format == 1) {
                return decodeHeaderFormat1(in);
            }
            checkFormat(format, HEADER_FORMAT_CROSSES, "model header");
            final ModelType type = ModelType.valueOf(in.readUTF());
            final int hashBits = in.readInt();
            final Optimizer optimizer = Optimizer.valueOf(in.readUTF());
            final double learningRate = in.readDouble();
            final LearningRateSchedule schedule = LearningRateSchedule.valueOf(in.readUTF());
            final double powerT = in.readDouble();
            final double l1 = in.readDouble();
            final double l2 = in.readDouble();
            final double beta = in.readDouble();
            final Normalization normalization = format == 2
                    ? in.readBoolean() ? Normalization.SCALE : Normalization.NONE
                    : Normalization.valueOf(in.readUTF());
            final int batchSize = format == 2 ? 1 : in.readInt();
            final double labelClip = format == 2 ? ModelSettings.DEFAULT_LABEL_CLIP : in.readDouble();
            final int maxDimension = format == 2 ? ModelSettings.DEFAULT_MAX_DIMENSION : in.readInt();
            final List<String> initialClasses = readStrings(in);
            final boolean allowNew = in.readBoolean();
            final Interactions interactions = format == HEADER_FORMAT_CROSSES ? Interactions.parse(in.readUTF())
                    : Interactions.NONE;
            final ModelSettings settings = new ModelSettings(type, hashBits, optimizer, learningRate, schedule, powerT,
                    l1, l2, beta, normalization, batchSize, labelClip, maxDimension, initialClasses, allowNew,
                    interactions);
            final List<String> classes = readStrings(in);
            final long version = in.readLong();
            final double[] clock = readDoubles(in);
            final double[] bias = readDoubles(in);
            final double[] pendingBias = format == 2 ? WeightRow.NONE : readDoubles(in);
            final ProgressiveMetrics metrics = new ProgressiveMetrics(in.readLong(), in.readDouble(), in.readDouble(),
                    in.readDouble());
            final long[] counts = new long[requireCount(in.readInt(), in.available(), Long.BYTES)];
            for (int k = 0; k < counts.length; k++) {
                counts[k] = in.readLong();
            }
            return new ModelState(settings, classes, version, clock, bias, pendingBias, metrics, counts);
        } catch (final IOException e) {
            throw new IllegalArgumentException("corrupt model header: " + e, e);
        }
    }

    private static ModelState decodeHeaderFormat1(final DataInputStream in) throws IOException {
        final ModelType type = ModelType.valueOf(in.readUTF());
        final int hashBits = in.readInt();
        final double learningRate = in.readDouble();
        final LearningRateSchedule schedule = LearningRateSchedule.valueOf(in.readUTF());
        final double powerT = in.readDouble();
        final double l2 = in.readDouble();
        final List<String> initialClasses = readStrings(in);
        final boolean allowNew = in.readBoolean();
        final ModelSettings settings = new ModelSettings(type, hashBits, Optimizer.SGD, learningRate, schedule, powerT,
                0.0, l2, 1.0, Normalization.NONE, 1,
                ModelSettings.DEFAULT_LABEL_CLIP, ModelSettings.DEFAULT_MAX_DIMENSION, initialClasses, allowNew, Interactions.NONE);
        final List<String> classes = readStrings(in);
        final long version = in.readLong();
        final double logScale = in.readDouble();
        final double[] bias = readDoubles(in);
        final ProgressiveMetrics metrics = new ProgressiveMetrics(in.readLong(), in.readDouble(), in.readDouble(),
                in.readDouble());
        return new ModelState(settings, classes, version, new double[] {logScale, 0.0}, bias, metrics,
                new long[classes.size()]);
    }

    private static void writeDoubles(final DataOutputStream out, final double[] values) throws IOException {
        out.writeInt(values.length);
        for (final double v : values) {
            out.writeDouble(v);
        }
    }

    private static double[] readDoubles(final DataInputStream in) throws IOException {
        final double[] values = new double[requireCount(in.readInt(), in.available(), Double.BYTES)];
        for (int k = 0; k < values.length; k++) {
            values[k] = in.readDouble();
        }
        return values;
    }

    /**
     * {@code count}, if that many items of at least {@code itemBytes} bytes each can be in the
     * {@code remaining} bytes: a corrupt or hostile count never makes a reader allocate more
     * than the bytes it was given.
     */
    static int requireCount(final int count, final int remaining, final int itemBytes) {
        if (count < 0 || (long) count * itemBytes > remaining) {
            throw new IllegalArgumentException("a count of " + count + " items does not fit in the " + remaining
                    + " bytes that remain");
        }
        return count;
    }

    /** Refuses a format above {@code current} or below 2 (format 1 is read before this check). */
    private static void checkFormat(final byte found, final byte current, final String what) {
        if (found > current || found < 2) {
            throw new IllegalArgumentException(what + " has format version " + found
                    + "; this version of kafka-olr reads versions 1 to " + current);
        }
    }

    private static void writeStrings(final DataOutputStream out, final List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (final String s : strings) {
            out.writeUTF(s);
        }
    }

    private static List<String> readStrings(final DataInputStream in) throws IOException {
        // each string takes at least its 2-byte length
        final int n = requireCount(in.readInt(), in.available(), 2);
        final List<String> strings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }
}
