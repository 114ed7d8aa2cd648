package io.kafkaolr.serde;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether bytes are text a person can read: UTF-8 without control characters. What a dead
 * letter keeps as text rather than base64, and what {@code olr consume} prints as a key.
 */
public final class Utf8Text {
    /** The most bytes a UTF-8 character takes: what a cut may leave of the last one. */
    private static final int MAX_CHAR_BYTES = 4;

    private Utf8Text() {
    }

    /** {@code bytes} as text when they are UTF-8 without control characters (tab, LF and CR aside), else null. */
    public static String of(final byte[] bytes) {
        return of(bytes, false);
    }

    /**
     * {@code bytes} as text when they are UTF-8 without control characters (tab, LF and CR
     * aside), else null. When the bytes are the start of a longer original ({@code cut}), an
     * incomplete last character is left out: the text then holds one to three bytes fewer.
     */
    public static String of(final byte[] bytes, final boolean cut) {
        if (bytes == null) {
            return null;
        }
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final CharBuffer out = CharBuffer.allocate(bytes.length);
        // not the end of the input when cut: an incomplete last character stays unread rather than failing
        final CoderResult result = decoder.decode(in, out, !cut);
        if (result.isError() || (!cut && decoder.flush(out).isError())) {
            return null;
        }
        if (in.remaining() > (cut ? MAX_CHAR_BYTES - 1 : 0)) {
            return null;
        }
        out.flip();
        for (int i = 0; i < out.length(); i++) {
            final char c = out.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
                return null;
            }
        }
        return out.toString();
    }
}
