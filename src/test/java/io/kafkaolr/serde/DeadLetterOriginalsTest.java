package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kafkaolr.avro.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Which originals a dead letter keeps as text, and that either form gives back the bytes. */
class DeadLetterOriginalsTest {
    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void utf8TextWithoutControlCharactersIsText() {
        assertEquals("{\"id\":\"a\"}\r\n\t", Utf8Text.of(utf8("{\"id\":\"a\"}\r\n\t"), false));
        assertEquals("Zürich 日本 😀", Utf8Text.of(utf8("Zürich 日本 😀"), false));
        assertEquals("", Utf8Text.of(new byte[0], false));
        assertNull(Utf8Text.of(null, false));
    }

    @Test
    void bytesThatAreNotUtf8OrHoldControlCharactersAreNot() {
        assertNull(Utf8Text.of(new byte[] {(byte) 0xC3, 0x01, 0x10, 0x20}, false)); // Avro's marker
        assertNull(Utf8Text.of(new byte[] {'a', 0, 'b'}, false));
        assertNull(Utf8Text.of(new byte[] {'a', 0x1B, 'b'}, false));
        assertNull(Utf8Text.of(new byte[] {'a', 0x7F}, false));
        assertNull(Utf8Text.of(new byte[] {'a', (byte) 0xE6}, false)); // a whole value cannot end mid-character
        assertNull(Utf8Text.of(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, false)); // a surrogate
    }

    @Test
    void aCutValueLeavesOutTheCharacterTheCutSplit() {
        final byte[] whole = utf8("ab日本");
        for (int keep = 2; keep <= whole.length; keep++) {
            final String expected = keep < 5 ? "ab" : keep < 8 ? "ab日" : "ab日本";
            assertEquals(expected, Utf8Text.of(Arrays.copyOf(whole, keep), keep < whole.length),
                    "first " + keep + " bytes");
        }
    }

    @Test
    void eitherFormGivesBackTheBytesKept() {
        final DeadLetter.Builder builder = DeadLetter.newBuilder().setReason("UNPARSEABLE").setDetail("d")
                .setSourceTopic("t");
        final byte[] binary = {(byte) 0xC3, 0x01, 5, 6};
        DeadLetterOriginals.key(builder, utf8("m-1"), 3);
        DeadLetterOriginals.value(builder, binary, 4);
        final DeadLetter letter = builder.build();
        assertEquals("m-1", letter.getOriginalKeyText());
        assertNull(letter.getOriginalKey());
        assertNull(letter.getOriginalValueText());
        assertArrayEquals(utf8("m-1"), DeadLetterOriginals.key(letter));
        assertArrayEquals(binary, DeadLetterOriginals.value(letter));
        final DeadLetter none = DeadLetterOriginals.value(DeadLetterOriginals.key(DeadLetter.newBuilder()
                .setReason("r").setDetail("d").setSourceTopic("t"), null, -1), null, -1).build();
        assertNull(DeadLetterOriginals.key(none));
        assertNull(DeadLetterOriginals.value(none));
    }
}
