package io.kafkaolr.serde;

import io.kafkaolr.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The original key and value a {@link DeadLetter} keeps: as text when the bytes are UTF-8 text
 * (a JSON record, a model or event id), so that a person can read and search them, and as bytes
 * (base64 in the JSON form) only when they are not.
 */
public final class DeadLetterOriginals {
    /** The most bytes a UTF-8 character takes: what a cut may leave of the last one. */
    private static final int MAX_CHAR_BYTES = 4;

    private DeadLetterOriginals() {
    }

    /**
     * Sets {@code letter}'s original key from {@code kept}, the first bytes of a key of
     * {@code size} bytes (null for no key): as text or as bytes.
     */
    public static DeadLetter.Builder key(final DeadLetter.Builder letter, final byte[] kept, final long size) {
        final String text = text(kept, kept != null && kept.length < size);
        return letter.setOriginalKeyText(text).setOriginalKey(kept == null || text != null ? null : ByteBuffer.wrap(kept));
    }

    /** Like {@link #key}, for the value. */
    public static DeadLetter.Builder value(final DeadLetter.Builder letter, final byte[] kept, final long size) {
        final String text = text(kept, kept != null && kept.length < size);
        return letter.setOriginalValueText(text)
                .setOriginalValue(kept == null || text != null ? null : ByteBuffer.wrap(kept));
    }

    /** The original key's bytes as kept, whichever form they were kept in; null for no key. */
    public static byte[] key(final DeadLetter letter) {
        return letter.getOriginalKeyText() != null ? letter.getOriginalKeyText().getBytes(StandardCharsets.UTF_8)
                : RecordCodec.bytes(letter.getOriginalKey());
    }

    /** The original value's bytes as kept, whichever form they were kept in; null for no value. */
    public static byte[] value(final DeadLetter letter) {
        return letter.getOriginalValueText() != null ? letter.getOriginalValueText().getBytes(StandardCharsets.UTF_8)
                : RecordCodec.bytes(letter.getOriginalValue());
    }

    /**
     * {@code bytes} as text when they are UTF-8 without control characters (tab, LF and CR
     * aside), else null. When the bytes are the start of a longer original ({@code cut}), an
     * incomplete last character is left out: the text then holds one to three bytes fewer.
     */
    static String text(final byte[] bytes, final boolean cut) {
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
