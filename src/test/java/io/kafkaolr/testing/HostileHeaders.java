package io.kafkaolr.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/** Stored model headers made hostile on purpose: a count that the bytes after it cannot hold. */
public final class HostileHeaders {
    private HostileHeaders() {
    }

    /**
     * {@code header} (a stored header whose class list is {@code classes}) with the count of
     * that list replaced by {@code count}; the list is the last one in the header with those
     * classes (the initial classes, when equal, come before it).
     */
    public static byte[] withClassCount(final byte[] header, final List<String> classes, final int count) {
        final byte[] list = encoded(classes);
        int at = -1;
        for (int i = header.length - list.length; i >= 0 && at < 0; i--) {
            if (ByteBuffer.wrap(header, i, list.length).equals(ByteBuffer.wrap(list))) {
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("the header has no class list " + classes);
        }
        final byte[] hostile = header.clone();
        ByteBuffer.wrap(hostile).putInt(at, count);
        return hostile;
    }

    private static byte[] encoded(final List<String> strings) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(strings.size());
            for (final String s : strings) {
                out.writeUTF(s);
            }
            return bytes.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
