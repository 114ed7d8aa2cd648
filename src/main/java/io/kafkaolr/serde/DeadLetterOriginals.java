package io.kafkaolr.serde;

import io.kafkaolr.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The original key and value a {@link DeadLetter} keeps: as text when the bytes are UTF-8 text
 * (a JSON record, a model or event id), so that a person can read and search them, and as bytes
 * (base64 in the JSON form) only when they are not.
 */
public final class DeadLetterOriginals {
    private DeadLetterOriginals() {
    }

    /**
     * Sets {@code letter}'s original key from {@code kept}, the first bytes of a key of
     * {@code size} bytes (null for no key): as text or as bytes.
     */
    public static DeadLetter.Builder key(final DeadLetter.Builder letter, final byte[] kept, final long size) {
        final String text = Utf8Text.of(kept, kept != null && kept.length < size);
        return letter.setOriginalKeyText(text).setOriginalKey(kept == null || text != null ? null : ByteBuffer.wrap(kept));
    }

    /** Like {@link #key}, for the value. */
    public static DeadLetter.Builder value(final DeadLetter.Builder letter, final byte[] kept, final long size) {
        final String text = Utf8Text.of(kept, kept != null && kept.length < size);
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
}
