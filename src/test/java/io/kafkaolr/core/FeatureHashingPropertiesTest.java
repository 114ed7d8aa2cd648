package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.avro.util.Utf8;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The index of every feature name is part of every stored model: hashing the characters as
 * they are encoded must give exactly the hash of {@code String.getBytes(UTF_8)}, for any string,
 * malformed UTF-16 included.
 */
class FeatureHashingPropertiesTest {
    private static final FeatureHasher ALL_BITS = new FeatureHasher(FeatureHasher.MAX_BITS);

    private static int reference(final String s, final int seed) {
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash32x86(bytes, 0, bytes.length, seed);
    }

    @Property(tries = 3000)
    void aNameHashesAsItsUtf8Bytes(@ForAll("names") final String name, @ForAll final int seed) {
        assertEquals(reference(name, seed), Utf8Murmur3.hash(name, seed), () -> describe(name));
        assertEquals(reference(name, FeatureHasher.SEED), Utf8Murmur3.hash(name, FeatureHasher.SEED));
        // any CharSequence, not only String
        assertEquals(reference(name, seed), Utf8Murmur3.hash(new StringBuilder(name), seed));
    }

    @Property(tries = 2000)
    void aCategoricalHashesAsTheConcatenatedName(@ForAll("names") final String name,
                                                 @ForAll("names") final String value, @ForAll final int seed) {
        final String joined = FeatureHasher.categoricalName(name, value);
        assertEquals(reference(joined, seed), Utf8Murmur3.hash(name, value, seed), () -> describe(joined));
        assertEquals(reference(joined, FeatureHasher.SEED) & ((1 << FeatureHasher.MAX_BITS) - 1),
                ALL_BITS.categoricalIndex(name, value));
    }

    @Property(tries = 500)
    void everyIndexIsTheMaskedHashOfTheBytes(@ForAll("names") final String name,
                                             @ForAll("names") final String value) {
        for (final int bits : new int[] {1, 7, FeatureHasher.DEFAULT_BITS, 24, FeatureHasher.MAX_BITS}) {
            final FeatureHasher hasher = new FeatureHasher(bits);
            final int mask = (1 << bits) - 1;
            assertEquals(reference(name, 0) & mask, hasher.index(name));
            assertEquals(reference(name + "=" + value, 0) & mask, hasher.categoricalIndex(name, value));
            final Utf8 encoded = new Utf8(name);
            assertEquals(reference(name, 0) & mask,
                    hasher.indexOfUtf8(encoded.getBytes(), 0, encoded.getByteLength()));
        }
    }

    @Property(tries = 200)
    void hashGivesEachNameTheIndexOfItsBytes(@ForAll("featureMaps") final Map<String, String> categorical,
                                             @ForAll("featureMaps") final Map<String, String> numericNames) {
        final Map<String, Double> numeric = new LinkedHashMap<>();
        numericNames.keySet().forEach(name -> numeric.put(name, (double) name.length()));
        final Features features = new Features(numeric, categorical);
        final FeatureHasher hasher = new FeatureHasher(FeatureHasher.DEFAULT_BITS);
        final List<String> names = features.names();
        final int[] expected = new int[names.size()];
        for (int k = 0; k < expected.length; k++) {
            expected[k] = reference(names.get(k), 0) & ((1 << FeatureHasher.DEFAULT_BITS) - 1);
        }
        final FeatureHasher.Hashed hashed = hasher.hash(features, expected.length);
        assertArrayEquals(expected, hashed.nameIndices());
        for (final Map.Entry<String, Double> e : numeric.entrySet()) {
            // names that collide share a row, where their values add up
            final int index = reference(e.getKey(), 0) & ((1 << FeatureHasher.DEFAULT_BITS) - 1);
            assertEquals(expectedSum(names, expected, numeric, index), hashed.vector().get(index), 0);
        }
    }

    private static double expectedSum(final List<String> names, final int[] indices, final Map<String, Double> numeric,
                                      final int index) {
        double sum = 0;
        for (int k = 0; k < names.size(); k++) {
            if (indices[k] == index) {
                sum += k < numeric.size() ? numeric.get(names.get(k)) : 1.0;
            }
        }
        return sum;
    }

    @Example
    void surrogatesAroundTheSeparatorStayUnpaired() {
        // "\uD83D" + "=" + "\uDE00": the separator splits the pair, so both halves are '?'
        final String high = "\uD83D";
        final String low = "\uDE00";
        assertEquals(reference("?=?", 0), Utf8Murmur3.hash(high, low, 0));
        assertEquals(reference(high + "=" + low, 0), Utf8Murmur3.hash(high, low, 0));
        assertEquals(reference("\uD83D\uDE00=\uD83D\uDE00", 0), Utf8Murmur3.hash("\uD83D\uDE00", "\uD83D\uDE00", 0));
        assertEquals(reference("?", 0), Utf8Murmur3.hash(low + "", 0));
        assertEquals(reference("??", 0), Utf8Murmur3.hash(low + high, 0));
        assertEquals(reference("=", 0), Utf8Murmur3.hash("", "", 0));
        assertEquals(0, Utf8Murmur3.hash("", 0));
        // the same object as name and value is still hashed as both
        final String same = "abc";
        assertEquals(reference("abc=abc", 0), Utf8Murmur3.hash(same, same, 0));
    }

    @Example
    void longNamesOfEveryWidth() {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            b.append((char) ('a' + i % 26)).append('\u00e9').append('\u20ac').appendCodePoint(0x1F600 + i % 50);
            if (i % 97 == 0) {
                b.append('\uDBFF');
            }
        }
        final String all = b.toString();
        // every cut: the last characters fall in every position of a block, some halfway through a pair
        for (int end = all.length() - 40; end <= all.length(); end++) {
            final String s = all.substring(0, end);
            assertEquals(reference(s, 0), Utf8Murmur3.hash(s, 0));
            assertEquals(reference(s + "=" + s, 0), Utf8Murmur3.hash(s, s, 0));
        }
    }

    /**
     * Strings built of pieces of every UTF-8 width, valid surrogate pairs and lone surrogates of
     * both kinds, short and long; and strings of arbitrary chars.
     */
    @Provide
    Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, shortNames()),
                Tuple.of(1, pieces().list().ofMinSize(200).ofMaxSize(2000).map(FeatureHashingPropertiesTest::join)));
    }

    private static Arbitrary<String> shortNames() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, pieces().list().ofMaxSize(24).map(FeatureHashingPropertiesTest::join)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(40)));
    }

    private static Arbitrary<String> pieces() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.chars().range('\u0000', '\u007f').map(String::valueOf)),
                Tuple.of(2, Arbitraries.chars().range('\u0080', '\u07ff').map(String::valueOf)),
                Tuple.of(2, Arbitraries.chars().range('\u0800', '\uffff').map(String::valueOf)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT).map(Character::toString)),
                Tuple.of(1, Arbitraries.chars().range('\ud800', '\udbff').map(String::valueOf)),
                Tuple.of(1, Arbitraries.chars().range('\udc00', '\udfff').map(String::valueOf)));
    }

    @Provide
    Arbitrary<Map<String, String>> featureMaps() {
        return Arbitraries.maps(shortNames(), shortNames()).ofMaxSize(12);
    }

    private static String join(final List<String> pieces) {
        return String.join("", pieces);
    }

    private static String describe(final String s) {
        final StringBuilder b = new StringBuilder("chars:");
        s.chars().limit(64).forEach(c -> b.append(String.format(" %04x", c)));
        return b.toString();
    }
}
