package io.kafkaolr.serde;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.ModelRows;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The layout of the model topic (the training store's changelog): which keys a model has and
 * what each value holds. docs/MODEL-TOPIC.md describes it for readers of the topic.
 *
 * <p>Layout 4 (this one) keys every entry by the model id, a zero byte, a kind byte and a
 * 4-byte big-endian number: the header ({@code H}, 0); a block of weight rows ({@code R}, the
 * first index of the block: rows whose index shares its top bits, ascending); the feature names
 * of the rows of a block ({@code N}, the same number); a chunk of the AUC window ({@code W},
 * {@link #WINDOW_CHUNK} consecutive updates by version, so that the window's size is a reader's
 * setting, not part of the key); a model-wide row ({@code M}, its index). A commit writes each
 * changed block once, so a model-topic record carries up to a block of rows rather than one.
 *
 * <p>Layout 3 (before) keyed one entry per row, names entry and window slot by a 4-byte index
 * after the zero byte ({@link ModelStateCodec#key}); its keys are told apart by their length and
 * read as {@link Legacy} entries. The training side rewrites a model in layout 4 at its next
 * commit and deletes its layout-3 keys in the same transaction.
 *
 * <p>The values inside (a row, a header, a names list, a window entry) keep their
 * {@link ModelStateCodec} formats; the exports and imports of a model use the layout-3 index
 * space ({@link #explode}, {@link #entries}).
 */
public final class ModelTopicFormat {
    /** The layout this code writes. */
    public static final int LAYOUT = 4;
    /** Updates per AUC-window chunk. */
    public static final int WINDOW_CHUNK = 256;
    /** At most {@code 2^BLOCK_COUNT_BITS} row blocks per model (fewer for wide rows: {@link #blockShift}). */
    static final int BLOCK_COUNT_BITS = 12;
    /** The bytes a block of rows should stay under when every index of the block has a row. */
    static final int BLOCK_TARGET_BYTES = 256 * 1024;
    /** The bytes a block's names stop growing at: names are labels for people, and a record must stay small. */
    public static final int NAMES_BLOCK_BYTES = 256 * 1024;
    private static final byte ROWS_FORMAT = 1;
    private static final byte NAMES_FORMAT = 1;
    private static final byte WINDOW_FORMAT = 1;

    private ModelTopicFormat() {
    }

    /** The kinds of entry of layout 4, by the byte that follows the model id's zero byte. */
    public enum Kind {
        /** The model's header ({@link ModelStateCodec#encodeHeader}); number 0. */
        HEADER('H'),
        /** A block of weight rows; number: the block's first index. */
        ROWS('R'),
        /** The feature names of a block's rows; number: the block's first index. */
        NAMES('N'),
        /** A chunk of the AUC window; number: the chunk ({@code (version - 1) / WINDOW_CHUNK}). */
        WINDOW('W'),
        /** A model-wide row (least squares' covariance); number: its index. */
        MODEL_ROW('M');

        private final byte tag;

        Kind(final char tag) {
            this.tag = (byte) tag;
        }

        static Kind of(final byte tag) {
            for (final Kind k : values()) {
                if (k.tag == tag) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A decoded model-topic key. */
    public sealed interface Key permits Entry, Legacy {
        /** The model the entry belongs to. */
        String modelId();

        /** Whether this is the key of a model's header, in either layout. */
        boolean isHeader();
    }

    /** A key of layout 4. */
    public record Entry(String modelId, Kind kind, int number) implements Key {
        @Override
        public boolean isHeader() {
            return kind == Kind.HEADER;
        }

        /** The key's bytes. */
        public byte[] encode() {
            return key(ModelStateCodec.modelPrefix(modelId), kind, number);
        }
    }

    /** A key of layout 3: a model id and an index ({@link ModelStateCodec}'s index space). */
    public record Legacy(String modelId, int index) implements Key {
        @Override
        public boolean isHeader() {
            return index == ModelStateCodec.HEADER_INDEX;
        }
    }

    /** The key of {@code kind} {@code number} of the model whose {@link ModelStateCodec#modelPrefix} is {@code prefix}. */
    public static byte[] key(final byte[] prefix, final Kind kind, final int number) {
        return ByteBuffer.allocate(prefix.length + 5).put(prefix).put(kind.tag).putInt(number).array();
    }

    /** The key of a model's header in layout 4. */
    public static byte[] headerKey(final String modelId) {
        return key(ModelStateCodec.modelPrefix(modelId), Kind.HEADER, 0);
    }

    /** Decodes a key of either layout; null when it is not a model key. */
    public static Key decodeKey(final byte[] key) {
        if (key == null) {
            return null;
        }
        if (key.length >= 6 && key[key.length - 6] == 0 && key[key.length - 5] != 0) {
            final Kind kind = Kind.of(key[key.length - 5]);
            if (kind != null) {
                return new Entry(new String(key, 0, key.length - 6, StandardCharsets.UTF_8), kind,
                        ByteBuffer.wrap(key, key.length - 4, 4).getInt());
            }
        }
        if (ModelStateCodec.isModelKey(key)) {
            final ModelStateCodec.Key k = ModelStateCodec.decodeKey(key);
            return new Legacy(k.modelId(), k.index());
        }
        return null;
    }

    /** The model id if {@code key} is a header key of either layout, else null. */
    public static String headerModelId(final byte[] key) {
        if (key != null && key.length >= 6 && key[key.length - 5] == 'H' && key[key.length - 6] == 0) {
            return new String(key, 0, key.length - 6, StandardCharsets.UTF_8);
        }
        return ModelStateCodec.headerModelId(key);
    }

    // ---- blocks of rows ----

    /**
     * The number of low index bits a block of a model spans: at most {@code 2^12} blocks, and
     * fewer indices per block when rows are wide, so that a full block stays near
     * {@value #BLOCK_TARGET_BYTES} bytes.
     *
     * @param rowBytes the encoded size of the model's widest row
     */
    public static int blockShift(final int hashBits, final int rowBytes) {
        final int byWidth = 31 - Integer.numberOfLeadingZeros(Math.max(1, BLOCK_TARGET_BYTES / Math.max(1, rowBytes)));
        return Math.max(0, Math.min(hashBits - BLOCK_COUNT_BITS, byWidth));
    }

    /** Rows of one block, ascending by index: their encoded rows ({@link ModelStateCodec#encodeRow}). */
    public record RowBlock(int shift, int[] indices, byte[][] rows) {
        /** Number of rows. */
        public int size() {
            return indices.length;
        }
    }

    /** Encodes a block of {@code count} rows of span {@code 2^shift}, indices ascending. */
    public static byte[] encodeRows(final int shift, final int count, final int[] indices, final byte[][] rows) {
        int bytes = 1 + 1 + 4;
        for (int i = 0; i < count; i++) {
            bytes += 8 + rows[i].length;
        }
        final ByteBuffer out = ByteBuffer.allocate(bytes).put(ROWS_FORMAT).put((byte) shift).putInt(count);
        for (int i = 0; i < count; i++) {
            out.putInt(indices[i]).putInt(rows[i].length).put(rows[i]);
        }
        return out.array();
    }

    /**
     * Decodes the block of rows stored under number {@code first} (the rows stay encoded): its
     * span from 2^0 to 2^30 indices, its indices ascending, every one of them in
     * {@code [first, first + 2^shift)}.
     */
    public static RowBlock decodeRows(final byte[] value, final int first) {
        final RowBlock block = decodeRows(value);
        for (final int index : block.indices()) {
            if (index >>> block.shift() != first >>> block.shift() || (first & ((1 << block.shift()) - 1)) != 0) {
                throw new IllegalArgumentException("corrupt block of rows: row " + index + " is not in the block of 2^"
                        + block.shift() + " indices from " + first);
            }
        }
        return block;
    }

    /** Decodes a block of rows (the rows stay encoded): its span from 2^0 to 2^30 indices, its indices ascending. */
    public static RowBlock decodeRows(final byte[] value) {
        try {
            final ByteBuffer in = ByteBuffer.wrap(value);
            checkFormat(in.get(), ROWS_FORMAT, "block of rows");
            final int shift = in.get();
            if (shift < 0 || shift > FeatureHasher.MAX_BITS) {
                throw new IllegalArgumentException("corrupt block of rows: a span of 2^" + shift + " indices");
            }
            final int count = ModelStateCodec.requireCount(in.getInt(), in.remaining(), 8);
            final int[] indices = new int[count];
            final byte[][] rows = new byte[count][];
            for (int i = 0; i < count; i++) {
                indices[i] = in.getInt();
                if (indices[i] < 0 || indices[i] >= FeatureHasher.FIRST_MODEL_ROW || i > 0 && indices[i] <= indices[i - 1]) {
                    throw new IllegalArgumentException("corrupt block of rows: index " + indices[i] + " at " + i);
                }
                rows[i] = new byte[ModelStateCodec.requireCount(in.getInt(), in.remaining(), 1)];
                in.get(rows[i]);
            }
            return new RowBlock(shift, indices, rows);
        } catch (final BufferUnderflowException e) {
            throw new IllegalArgumentException("corrupt block of rows: " + value.length + " bytes end too soon", e);
        }
    }

    // ---- names of a block's rows ----

    /** The names of rows of one block, ascending by index, each as {@link ModelStateCodec#encodeNames}. */
    public record NamesBlock(int[] indices, byte[][] names) {
    }

    /** Encodes the names of a block's rows, indices ascending. */
    public static byte[] encodeNamesBlock(final int[] indices, final byte[][] names, final int count) {
        int bytes = 1 + 4;
        for (int i = 0; i < count; i++) {
            bytes += 8 + names[i].length;
        }
        final ByteBuffer out = ByteBuffer.allocate(bytes).put(NAMES_FORMAT).putInt(count);
        for (int i = 0; i < count; i++) {
            out.putInt(indices[i]).putInt(names[i].length).put(names[i]);
        }
        return out.array();
    }

    /** Decodes the names of a block's rows. */
    public static NamesBlock decodeNamesBlock(final byte[] value) {
        try {
            final ByteBuffer in = ByteBuffer.wrap(value);
            checkFormat(in.get(), NAMES_FORMAT, "block of names");
            final int count = ModelStateCodec.requireCount(in.getInt(), in.remaining(), 8);
            final int[] indices = new int[count];
            final byte[][] names = new byte[count][];
            for (int i = 0; i < count; i++) {
                indices[i] = in.getInt();
                if (indices[i] < 0 || indices[i] >= FeatureHasher.FIRST_MODEL_ROW || i > 0 && indices[i] <= indices[i - 1]) {
                    throw new IllegalArgumentException("corrupt block of names: index " + indices[i] + " at " + i);
                }
                names[i] = new byte[ModelStateCodec.requireCount(in.getInt(), in.remaining(), 1)];
                in.get(names[i]);
            }
            return new NamesBlock(indices, names);
        } catch (final BufferUnderflowException e) {
            throw new IllegalArgumentException("corrupt block of names: " + value.length + " bytes end too soon", e);
        }
    }

    // ---- the AUC window ----

    /** The chunk that holds the AUC-window entry of update {@code version} (from 1). */
    public static int windowChunk(final long version) {
        return (int) ((version - 1) / WINDOW_CHUNK);
    }

    /**
     * Entries of consecutive updates from {@code firstVersion}: each one's progressive
     * probability and label, or none ({@code present} false: an imported model's window can
     * have gaps).
     */
    public record WindowChunk(long firstVersion, double[] probabilities, boolean[] positives, boolean[] present) {
    }

    /**
     * Encodes {@code count} window entries of updates {@code firstVersion, firstVersion + 1, ...}:
     * each a probability (8 bytes) and a byte, 1 positive, 0 negative, 2 absent.
     */
    public static byte[] encodeWindow(final long firstVersion, final double[] probabilities, final boolean[] positives,
                                      final boolean[] present, final int count) {
        final ByteBuffer out = ByteBuffer.allocate(1 + 8 + 4 + 9 * count).put(WINDOW_FORMAT).putLong(firstVersion)
                .putInt(count);
        for (int i = 0; i < count; i++) {
            out.putDouble(present[i] ? probabilities[i] : Double.NaN)
                    .put((byte) (!present[i] ? 2 : positives[i] ? 1 : 0));
        }
        return out.array();
    }

    /** Decodes a chunk of the AUC window. */
    public static WindowChunk decodeWindow(final byte[] value) {
        try {
            final ByteBuffer in = ByteBuffer.wrap(value);
            checkFormat(in.get(), WINDOW_FORMAT, "AUC-window chunk");
            final long first = in.getLong();
            final int count = ModelStateCodec.requireCount(in.getInt(), in.remaining(), 9);
            if (first < 1 || first > Long.MAX_VALUE - count) {
                throw new IllegalArgumentException("corrupt AUC-window chunk: first version " + first);
            }
            final double[] p = new double[count];
            final boolean[] positive = new boolean[count];
            final boolean[] present = new boolean[count];
            for (int i = 0; i < count; i++) {
                p[i] = in.getDouble();
                final byte flag = in.get();
                if (flag < 0 || flag > 2) {
                    throw new IllegalArgumentException("corrupt AUC-window chunk: entry " + i + " flagged " + flag);
                }
                positive[i] = flag == 1;
                present[i] = flag != 2;
            }
            return new WindowChunk(first, p, positive, present);
        } catch (final BufferUnderflowException e) {
            throw new IllegalArgumentException("corrupt AUC-window chunk: " + value.length + " bytes end too soon", e);
        }
    }

    // ---- the index space of exports and imports ----

    /**
     * Gives the entries of one stored entry in the index space of {@link ModelStateCodec} (that of
     * exports and imports, and of layout 3) to {@code out}: a block as its rows, names as one entry
     * per row, a window chunk as the entries of the latest {@code aucWindow} updates up to
     * {@code version} (the model's), at their index for that window.
     */
    public static void explode(final Key key, final byte[] value, final long version, final int aucWindow,
                               final BiConsumer<Integer, byte[]> out) {
        if (key instanceof Legacy legacy) {
            out.accept(legacy.index(), value);
            return;
        }
        final Entry e = (Entry) key;
        switch (e.kind()) {
            case HEADER -> out.accept(ModelStateCodec.HEADER_INDEX, value);
            case MODEL_ROW -> out.accept(e.number(), value);
            case ROWS -> {
                final RowBlock block = decodeRows(value, e.number());
                for (int i = 0; i < block.size(); i++) {
                    out.accept(block.indices()[i], block.rows()[i]);
                }
            }
            case NAMES -> {
                final NamesBlock block = decodeNamesBlock(value);
                for (int i = 0; i < block.indices().length; i++) {
                    out.accept(ModelStateCodec.namesIndex(block.indices()[i]), block.names()[i]);
                }
            }
            case WINDOW -> {
                final WindowChunk chunk = decodeWindow(value);
                for (int i = 0; i < chunk.probabilities().length; i++) {
                    final long v = chunk.firstVersion() + i;
                    if (chunk.present()[i] && v <= version && v > version - aucWindow) {
                        out.accept(ModelStateCodec.windowIndex(v, aucWindow),
                                ModelStateCodec.encodeWindowEntry(chunk.probabilities()[i], chunk.positives()[i]));
                    }
                }
            }
        }
    }

    /**
     * The entries of one model in the index space of {@link ModelStateCodec}, from its stored
     * entries of either layout ({@code key -> value}, keys decoded). Without a header, the window
     * is left out (its entries are placed by the model's version).
     */
    public static SortedMap<Integer, byte[]> indexed(final Map<Key, byte[]> stored, final int aucWindow) {
        final SortedMap<Integer, byte[]> out = new TreeMap<>();
        long version = 0;
        for (final Map.Entry<Key, byte[]> e : stored.entrySet()) {
            if (e.getKey().isHeader()) {
                version = ModelStateCodec.decodeHeader(e.getValue()).version();
            }
        }
        final long v = version;
        stored.forEach((key, value) -> explode(key, value, v, aucWindow, out::put));
        return out;
    }

    /**
     * The stored entries of layout 4 for a model given in the index space of
     * {@link ModelStateCodec} (an import): blocks of rows and of names, window chunks for the
     * window entries of the latest {@code aucWindow} updates, model-wide rows, then the header
     * last. Keys as bytes, in write order.
     */
    public static List<Map.Entry<byte[], byte[]>> entries(final String modelId, final SortedMap<Integer, byte[]> indexed,
                                                          final int hashBits, final int aucWindow) {
        final byte[] prefix = ModelStateCodec.modelPrefix(modelId);
        final byte[] header = indexed.get(ModelStateCodec.HEADER_INDEX);
        final long version = ModelStateCodec.decodeHeader(header).version();
        final SortedMap<Integer, byte[]> rows = indexed.subMap(0, FeatureHasher.FIRST_MODEL_ROW);
        // the span the training side gives these rows once it holds them, so that it keeps it
        final ModelRows held = new ModelRows();
        rows.forEach((index, row) -> held.load(index, ModelStateCodec.decodeRow(row)));
        final int shift = blockShift(hashBits, held.storedRowBytes());
        final List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
        blocks(rows, shift, (first, block) -> out.add(Map.entry(key(prefix, Kind.ROWS, first),
                encodeRows(shift, block.size(), ints(block.keySet()), block.values().toArray(byte[][]::new)))));
        final SortedMap<Integer, byte[]> names = new TreeMap<>();
        indexed.subMap(Integer.MIN_VALUE, ModelStateCodec.namesIndex(FeatureHasher.FIRST_MODEL_ROW) + 1)
                .forEach((index, value) -> names.put(ModelStateCodec.namedRow(index), value));
        blocks(names, shift, (first, block) -> {
            // names stop at the cap of a block, as they do when learned
            long bytes = 5;
            final SortedMap<Integer, byte[]> kept = new TreeMap<>();
            for (final Map.Entry<Integer, byte[]> e : block.entrySet()) {
                if (bytes + 8 + e.getValue().length <= NAMES_BLOCK_BYTES) {
                    kept.put(e.getKey(), e.getValue());
                    bytes += 8 + e.getValue().length;
                }
            }
            out.add(Map.entry(key(prefix, Kind.NAMES, first),
                    encodeNamesBlock(ints(kept.keySet()), kept.values().toArray(byte[][]::new), kept.size())));
        });
        // the window: the entries of the latest updates, oldest first, in chunks (gaps kept)
        final int n = (int) Math.min(version, aucWindow);
        final long oldest = version - n + 1;
        for (long v = oldest; v <= version; ) {
            final int chunk = windowChunk(v);
            final int inChunk = (int) Math.min(version - v + 1, (long) (chunk + 1) * WINDOW_CHUNK - v + 1);
            final double[] p = new double[inChunk];
            final boolean[] positive = new boolean[inChunk];
            final boolean[] present = new boolean[inChunk];
            boolean any = false;
            for (int i = 0; i < inChunk; i++) {
                final byte[] entry = indexed.get(ModelStateCodec.windowIndex(v + i, aucWindow));
                if (entry != null && ModelStateCodec.isWindowEntry(entry)) {
                    p[i] = ModelStateCodec.windowProbability(entry);
                    positive[i] = ModelStateCodec.windowPositive(entry);
                    present[i] = true;
                    any = true;
                }
            }
            if (any) {
                out.add(Map.entry(key(prefix, Kind.WINDOW, chunk), encodeWindow(v, p, positive, present, inChunk)));
            }
            v += inChunk;
        }
        indexed.tailMap(FeatureHasher.FIRST_MODEL_ROW).forEach((index, value) ->
                out.add(Map.entry(key(prefix, Kind.MODEL_ROW, index), value)));
        out.add(Map.entry(key(prefix, Kind.HEADER, 0), header));
        return out;
    }

    private static void blocks(final SortedMap<Integer, byte[]> byIndex, final int shift,
                               final BiConsumer<Integer, SortedMap<Integer, byte[]>> out) {
        SortedMap<Integer, byte[]> block = new TreeMap<>();
        int current = -1;
        for (final Map.Entry<Integer, byte[]> e : byIndex.entrySet()) {
            final int first = (e.getKey() >>> shift) << shift;
            if (first != current && !block.isEmpty()) {
                out.accept(current, block);
                block = new TreeMap<>();
            }
            current = first;
            block.put(e.getKey(), e.getValue());
        }
        if (!block.isEmpty()) {
            out.accept(current, block);
        }
    }

    private static int[] ints(final java.util.Collection<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkFormat(final byte found, final byte current, final String what) {
        if (found != current) {
            throw new IllegalArgumentException(what + " has format version " + found
                    + "; this version of kafka-olr reads version " + current);
        }
    }
}
