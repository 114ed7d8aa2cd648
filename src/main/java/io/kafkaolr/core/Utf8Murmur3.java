package io.kafkaolr.core;

/**
 * MurmurHash3 x86_32 of the UTF-8 encoding of characters, encoded on the fly: equal, for every
 * {@link CharSequence}, to {@code MurmurHash3.hash32x86(s.toString().getBytes(UTF_8), 0, n, seed)}
 * of commons-codec, without building a {@code byte[]} or a {@code String}.
 *
 * <p>The encoding is that of {@code String.getBytes(UTF_8)}, unpaired surrogates included: a high
 * surrogate not followed by a low one, and a low one not preceded by a high one, each encode as
 * the single byte {@code '?'}. Stored models hold indices derived from these hashes, so any
 * difference from that encoding would move features to other rows.
 */
final class Utf8Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Utf8Murmur3() {
    }

    /** The hash of the UTF-8 bytes of {@code s}. */
    static int hash(final CharSequence s, final int seed) {
        return hash(s, null, seed);
    }

    /**
     * The hash of the UTF-8 bytes of {@code first + "=" + second}, or of {@code first} alone when
     * {@code second} is null.
     */
    static int hash(final CharSequence first, final CharSequence second, final int seed) {
        return hash(first, second, null, null, seed);
    }

    /**
     * The hash of the UTF-8 bytes of the cross name {@code a + "*" + b}, where {@code a} is
     * {@code aName + "=" + aValue} (or {@code aName} alone when {@code aValue} is null) and
     * {@code b} likewise; of {@code a} alone when {@code bName} is null. Nothing is built: the
     * parts are encoded one after the other, with their separators, into one running hash.
     */
    static int hash(final CharSequence aName, final CharSequence aValue, final CharSequence bName,
                    final CharSequence bValue, final int seed) {
        int h = seed;
        // bytes not yet mixed, the first one in the low bits (little-endian blocks, as the
        // reference reads them); at most 3 are left after each character, so one more
        // character's 4 bytes still fit in 56 bits
        long pending = 0;
        int pendingCount = 0;
        int length = 0;
        for (int part = 0; part < 4; part++) {
            final CharSequence s = part == 0 ? aName : part == 1 ? aValue : part == 2 ? bName : bValue;
            if (s == null) {
                if (part == 2) {
                    break; // no second feature: no cross
                }
                continue;
            }
            if (part > 0) {
                // the separator ends the part before: a high surrogate last in it stays unpaired,
                // as it does in the concatenated string, where the separator follows it
                pending |= (long) (part == 2 ? '*' : '=') << (pendingCount << 3);
                pendingCount++;
                length++;
                if (pendingCount == 4) {
                    h = mixBlock(h, (int) pending);
                    pending >>>= 32;
                    pendingCount = 0;
                }
            }
            final int n = s.length();
            int i = 0;
            while (i < n) {
                // most feature names are ASCII: take them four characters, one block, at a time
                if (i + 4 <= n) {
                    final char c0 = s.charAt(i);
                    final char c1 = s.charAt(i + 1);
                    final char c2 = s.charAt(i + 2);
                    final char c3 = s.charAt(i + 3);
                    if ((c0 | c1 | c2 | c3) < 0x80) {
                        pending |= (long) (c0 | c1 << 8 | c2 << 16 | c3 << 24) << (pendingCount << 3);
                        h = mixBlock(h, (int) pending);
                        pending >>>= 32;
                        length += 4;
                        i += 4;
                        continue;
                    }
                }
                final char c = s.charAt(i++);
                final int bytes;
                final int count;
                if (c < 0x80) {
                    bytes = c;
                    count = 1;
                } else if (c < 0x800) {
                    bytes = (0xc0 | c >> 6) | (0x80 | c & 0x3f) << 8;
                    count = 2;
                } else if (!Character.isSurrogate(c)) {
                    bytes = (0xe0 | c >> 12) | (0x80 | c >> 6 & 0x3f) << 8 | (0x80 | c & 0x3f) << 16;
                    count = 3;
                } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(s.charAt(i))) {
                    final int cp = Character.toCodePoint(c, s.charAt(i++));
                    bytes = (0xf0 | cp >> 18) | (0x80 | cp >> 12 & 0x3f) << 8 | (0x80 | cp >> 6 & 0x3f) << 16
                            | (0x80 | cp & 0x3f) << 24;
                    count = 4;
                } else {
                    // what String.getBytes(UTF_8) writes for an unpaired surrogate
                    bytes = '?';
                    count = 1;
                }
                pending |= (bytes & 0xffffffffL) << (pendingCount << 3);
                pendingCount += count;
                length += count;
                if (pendingCount >= 4) {
                    h = mixBlock(h, (int) pending);
                    pending >>>= 32;
                    pendingCount -= 4;
                }
            }
        }
        if (pendingCount > 0) {
            h ^= mixK((int) pending);
        }
        return fmix(h ^ length);
    }

    private static int mixK(final int k) {
        return Integer.rotateLeft(k * C1, 15) * C2;
    }

    private static int mixBlock(final int h, final int k) {
        return Integer.rotateLeft(h ^ mixK(k), 13) * 5 + 0xe6546b64;
    }

    private static int fmix(final int hash) {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
