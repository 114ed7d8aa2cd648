package io.kafkaolr.serde;

import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.ModelType;
import io.kafkaolr.core.ProgressiveMetrics;
import io.kafkaolr.core.WeightRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored forms of model state: the key of a row ({@code model id, feature index}), a
 * weight row, and a model's header ({@link ModelState}). Compact binary, read and written on
 * every record; each value starts with a format version that readers check.
 *
 * <p>Key layout: the model id in UTF-8, a zero byte, the index as 4 big-endian bytes. All keys
 * of one model share the prefix {@code id + 0x00}, so a model is one contiguous range of the
 * store. The header has index {@link #HEADER_INDEX}.
 */
public final class ModelStateCodec {
    /** The index under which a model's header is stored. */
    public static final int HEADER_INDEX = -1;
    private static final byte ROW_FORMAT = 1;
    private static final byte HEADER_FORMAT = (byte) ModelState.FORMAT_VERSION;

    private ModelStateCodec() {
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

    /** Decodes a key. */
    public static Key decodeKey(final byte[] key) {
        if (key.length < 5 || key[key.length - 5] != 0) {
            throw new IllegalArgumentException("not a model key: " + key.length + " bytes");
        }
        final String id = new String(key, 0, key.length - 5, StandardCharsets.UTF_8);
        return new Key(id, ByteBuffer.wrap(key, key.length - 4, 4).getInt());
    }

    /** Encodes a weight row. */
    public static byte[] encodeRow(final WeightRow row) {
        final double[] w = row.weights();
        final ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + 4 + 8 * w.length);
        buffer.put(ROW_FORMAT).putDouble(row.logScale()).putInt(w.length);
        for (final double v : w) {
            buffer.putDouble(v);
        }
        return buffer.array();
    }

    /** Decodes a weight row. */
    public static WeightRow decodeRow(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        checkFormat(buffer.get(), ROW_FORMAT, "weight row");
        final double logScale = buffer.getDouble();
        final double[] w = new double[buffer.getInt()];
        for (int k = 0; k < w.length; k++) {
            w[k] = buffer.getDouble();
        }
        return new WeightRow(w, logScale);
    }

    /** Encodes a model header. */
    public static byte[] encodeHeader(final ModelState model) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(HEADER_FORMAT);
            final ModelSettings s = model.settings();
            out.writeUTF(s.type().name());
            out.writeInt(s.hashBits());
            out.writeDouble(s.learningRate());
            out.writeUTF(s.schedule().name());
            out.writeDouble(s.powerT());
            out.writeDouble(s.l2());
            writeStrings(out, s.initialClasses());
            out.writeBoolean(s.allowNewClasses());
            writeStrings(out, model.classes());
            out.writeLong(model.version());
            out.writeDouble(model.logScale());
            final double[] bias = model.bias();
            out.writeInt(bias.length);
            for (final double b : bias) {
                out.writeDouble(b);
            }
            final ProgressiveMetrics m = model.metrics();
            out.writeLong(m.examples());
            out.writeDouble(m.weightSum());
            out.writeDouble(m.lossSum());
            out.writeDouble(m.correctWeight());
            out.flush();
            return bytes.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    /** Decodes a model header. */
    public static ModelState decodeHeader(final byte[] bytes) {
        try {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            checkFormat(in.readByte(), HEADER_FORMAT, "model header");
            final ModelType type = ModelType.valueOf(in.readUTF());
            final int hashBits = in.readInt();
            final double learningRate = in.readDouble();
            final LearningRateSchedule schedule = LearningRateSchedule.valueOf(in.readUTF());
            final double powerT = in.readDouble();
            final double l2 = in.readDouble();
            final List<String> initialClasses = readStrings(in);
            final boolean allowNew = in.readBoolean();
            final ModelSettings settings = new ModelSettings(type, hashBits, learningRate, schedule, powerT, l2,
                    initialClasses, allowNew);
            final List<String> classes = readStrings(in);
            final long version = in.readLong();
            final double logScale = in.readDouble();
            final double[] bias = new double[in.readInt()];
            for (int k = 0; k < bias.length; k++) {
                bias[k] = in.readDouble();
            }
            final ProgressiveMetrics metrics = new ProgressiveMetrics(in.readLong(), in.readDouble(), in.readDouble(),
                    in.readDouble());
            return new ModelState(settings, classes, version, logScale, bias, metrics);
        } catch (final IOException e) {
            throw new IllegalArgumentException("corrupt model header: " + e, e);
        }
    }

    private static void checkFormat(final byte found, final byte supported, final String what) {
        if (found != supported) {
            throw new IllegalArgumentException(what + " has format version " + found
                    + "; this version of kafka-olr reads version " + supported);
        }
    }

    private static void writeStrings(final DataOutputStream out, final List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (final String s : strings) {
            out.writeUTF(s);
        }
    }

    private static List<String> readStrings(final DataInputStream in) throws IOException {
        final int n = in.readInt();
        final List<String> strings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }
}
