package io.kafkaolr.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.InvalidNumberEncodingException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro's binary encoding read from a byte array, each length and count checked against the bytes
 * that remain before anything is allocated: a string or bytes value longer than what is left, or
 * an array or map of more items than bytes left, is corrupt, and is refused here rather than
 * allocated. Every item of kafka-olr's schemas takes at least one byte (none has an item of no
 * bytes, such as null or an empty record), so a datum of {@code n} bytes never declares more than
 * {@code n} items.
 *
 * <p>Avro's own decoder allocates a collection or a value from the length a datum declares, up to
 * limits it reads from system properties once, when its {@code SystemLimitException} class is
 * first used. Any Avro code that runs before they are set (building a record with a default value
 * decodes that default) freezes them at 2^31 items: a 45-byte record could then declare an array of
 * two billion entries and end the JVM with {@code OutOfMemoryError}. This decoder needs no global
 * setting and bounds every record by its own size.
 */
final class BoundedBinaryDecoder extends Decoder {
    private final byte[] buf;
    private int pos;

    /** A decoder of {@code buf} from {@code offset} to its end. */
    BoundedBinaryDecoder(final byte[] buf, final int offset) {
        this.buf = buf;
        this.pos = offset;
    }

    /** The bytes not read yet. */
    int remaining() {
        return buf.length - pos;
    }

    @Override
    public void readNull() {
        // null takes no bytes
    }

    @Override
    public boolean readBoolean() throws IOException {
        require(1);
        return buf[pos++] == 1;
    }

    @Override
    public int readInt() throws IOException {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            require(1);
            final int b = buf[pos++] & 0xff;
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new InvalidNumberEncodingException("Invalid int encoding");
    }

    @Override
    public long readLong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            require(1);
            final long b = buf[pos++] & 0xff;
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new InvalidNumberEncodingException("Invalid long encoding");
    }

    @Override
    public float readFloat() throws IOException {
        require(Float.BYTES);
        final int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += Float.BYTES;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        require(Double.BYTES);
        long bits = 0;
        for (int i = Double.BYTES - 1; i >= 0; i--) {
            bits = bits << 8 | (buf[pos + i] & 0xff);
        }
        pos += Double.BYTES;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public Utf8 readString(final Utf8 old) throws IOException {
        final int length = length("a string");
        final Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        final int length = length("a string");
        final String result = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return result;
    }

    @Override
    public void skipString() throws IOException {
        pos += length("a string");
    }

    @Override
    public ByteBuffer readBytes(final ByteBuffer old) throws IOException {
        final int length = length("a bytes value");
        final ByteBuffer result;
        if (old != null && length <= old.capacity()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        result.put(buf, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        pos += length("a bytes value");
    }

    @Override
    public void readFixed(final byte[] bytes, final int start, final int length) throws IOException {
        require(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(final int length) throws IOException {
        require(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return blockCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount();
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks();
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount();
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount();
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** The items of the next block of an array or map (0: the end), if that many can be in the bytes that remain. */
    private long blockCount() throws IOException {
        long count = readLong();
        if (count < 0) {
            // a negative count is followed by the block's size in bytes, which a reader may ignore
            byteCount();
            count = -count;
        }
        if (count < 0 || count > remaining()) {
            throw new EOFException("an array or map block of " + count + " items does not fit in the " + remaining()
                    + " bytes that remain");
        }
        return count;
    }

    /** Skips the blocks whose size is given; the items of the first block that has none (0: the end). */
    private long skipBlocks() throws IOException {
        long count = readLong();
        while (count < 0) {
            pos += byteCount();
            count = readLong();
        }
        if (count > remaining()) {
            throw new EOFException("an array or map block of " + count + " items does not fit in the " + remaining()
                    + " bytes that remain");
        }
        return count;
    }

    private int byteCount() throws IOException {
        final long size = readLong();
        if (size < 0 || size > remaining()) {
            throw new EOFException("a block of " + size + " bytes does not fit in the " + remaining()
                    + " bytes that remain");
        }
        return (int) size;
    }

    /** A length that follows, if that many bytes remain. */
    private int length(final String what) throws IOException {
        final long length = readLong();
        if (length < 0 || length > remaining()) {
            throw new EOFException(what + " of " + length + " bytes does not fit in the " + remaining()
                    + " bytes that remain");
        }
        return (int) length;
    }

    private void require(final int bytes) throws EOFException {
        if (bytes < 0 || bytes > remaining()) {
            throw new EOFException("the datum ends " + (bytes - remaining()) + " bytes too soon");
        }
    }
}
