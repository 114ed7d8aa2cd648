package io.kafkaolr.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Feature crosses ({@link Interactions}): their names, indices, values, counts and refusals. */
class InteractionsTest {
    private static final FeatureHasher HASHER = new FeatureHasher(18);

    /** The index of a name as commons-codec hashes its UTF-8 bytes: the reference. */
    private static int reference(final String name) {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash32x86(bytes, 0, bytes.length, FeatureHasher.SEED) & ((1 << 18) - 1);
    }

    private static Map<Integer, Double> entries(final SparseVector x) {
        final Map<Integer, Double> out = new LinkedHashMap<>();
        for (int j = 0; j < x.size(); j++) {
            out.put(x.indexAt(j), x.valueAt(j));
        }
        return out;
    }

    private static Features features(final Map<String, Double> numeric, final Map<String, String> categorical) {
        return new Features(numeric, categorical);
    }

    @Test
    void aCrossOfTwoNamespacesIsEveryPairByHand() {
        final Map<String, Double> numeric = new LinkedHashMap<>();
        numeric.put("u^a", 2.0);
        numeric.put("u^b", 3.0);
        numeric.put("ad^x", 0.5);
        numeric.put("other", 7.0);
        final Features f = features(numeric, Map.of("ad", "shoe"));
        final FeatureHasher.Hashed hashed = HASHER.hash(f, 100, Interactions.parse("u:ad"));
        // 5 features, and u = {u^a, u^b} times ad = {ad^x, ad=shoe}
        final Map<Integer, Double> expected = new LinkedHashMap<>();
        expected.put(reference("u^a"), 2.0);
        expected.put(reference("u^b"), 3.0);
        expected.put(reference("ad^x"), 0.5);
        expected.put(reference("other"), 7.0);
        expected.put(reference("ad=shoe"), 1.0);
        expected.put(reference("u^a*ad^x"), 1.0);
        expected.put(reference("u^a*ad=shoe"), 2.0);
        expected.put(reference("u^b*ad^x"), 1.5);
        expected.put(reference("u^b*ad=shoe"), 3.0);
        assertEquals(9, expected.size(), "no collision among these names at 18 bits");
        assertEquals(expected, entries(hashed.vector()));
        assertEquals(List.of("u^a", "u^b", "ad^x", "other", "ad=shoe", "u^a*ad^x", "u^a*ad=shoe", "u^b*ad^x",
                "u^b*ad=shoe"), FeatureHasher.names(f, Interactions.parse("u:ad")));
        assertArrayEquals(FeatureHasher.names(f, Interactions.parse("u:ad")).stream().mapToInt(InteractionsTest::reference)
                .toArray(), hashed.nameIndices(), "each name hashes to the index its feature was given");
    }

    @Test
    void crossIndicesAreTheHashOfTheDocumentedNameForAnyCharacters() {
        final Random random = new Random(11);
        final String alphabet = "ab=*^é€\uD83D\uDE00\uD800\uDC00x";
        for (int round = 0; round < 2000; round++) {
            final String[] parts = new String[4];
            for (int p = 0; p < 4; p++) {
                final StringBuilder s = new StringBuilder();
                final int n = random.nextInt(7);
                for (int i = 0; i < n; i++) {
                    s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                parts[p] = s.toString();
            }
            final String aValue = random.nextBoolean() ? null : parts[1];
            final String bValue = random.nextBoolean() ? null : parts[3];
            final String a = aValue == null ? parts[0] : FeatureHasher.categoricalName(parts[0], aValue);
            final String b = bValue == null ? parts[2] : FeatureHasher.categoricalName(parts[2], bValue);
            final byte[] bytes = Interactions.crossName(a, b).getBytes(StandardCharsets.UTF_8);
            assertEquals(MurmurHash3.hash32x86(bytes, 0, bytes.length, 0),
                    Utf8Murmur3.hash(parts[0], aValue, parts[2], bValue, 0), a + " * " + b);
        }
    }

    @Test
    void aRecordGetsExactlyNnzATimesNnzBCrossesAndTheirNamesHashToTheirIndices() {
        final Random random = new Random(3);
        final Interactions inter = Interactions.parse("user:ad");
        for (int round = 0; round < 50; round++) {
            final int na = random.nextInt(6);
            final int nb = random.nextInt(6);
            final Map<String, Double> numeric = new LinkedHashMap<>();
            final Map<String, String> categorical = new LinkedHashMap<>();
            for (int i = 0; i < na; i++) {
                numeric.put("user^f" + i, random.nextGaussian());
            }
            for (int i = 0; i < nb; i++) {
                if (i % 2 == 0) {
                    numeric.put("ad^g" + i, random.nextGaussian());
                } else {
                    categorical.put("ad^c" + i, "v" + random.nextInt(100));
                }
            }
            // neither namespace: a prefix of one, a name that starts like one, another namespace
            numeric.put("users^x", 1.0);
            numeric.put("adx", 1.0);
            categorical.put("device", "ios");
            final Features f = features(numeric, categorical);
            final FeatureHasher.Hashed hashed = HASHER.hash(f, 1000, inter);
            assertEquals(f.count() + na * nb, hashed.nameIndices().length, na + " x " + nb);
            final List<String> names = FeatureHasher.names(f, inter);
            assertEquals(hashed.nameIndices().length, names.size());
            for (int k = 0; k < names.size(); k++) {
                assertEquals(HASHER.index(names.get(k)), hashed.nameIndices()[k], names.get(k));
            }
            assertEquals(na * nb, names.stream().filter(n -> n.contains("*")).count());
        }
    }

    @Test
    void aSelfCrossTakesEachPairOnceWithSquaresNamedInOrder() {
        final Map<String, Double> numeric = new LinkedHashMap<>();
        // arriving b first: the cross of a and b is still named a*b
        numeric.put("u^b", 3.0);
        numeric.put("u^a", 2.0);
        final Features f = features(numeric, Map.of());
        final Interactions inter = Interactions.parse("u:u");
        final FeatureHasher.Hashed hashed = HASHER.hash(f, 100, inter);
        assertEquals(List.of("u^b", "u^a", "u^b*u^b", "u^a*u^b", "u^a*u^a"), FeatureHasher.names(f, inter));
        final Map<Integer, Double> expected = new LinkedHashMap<>();
        expected.put(reference("u^b"), 3.0);
        expected.put(reference("u^a"), 2.0);
        expected.put(reference("u^b*u^b"), 9.0);
        expected.put(reference("u^a*u^b"), 6.0);
        expected.put(reference("u^a*u^a"), 4.0);
        assertEquals(expected, entries(hashed.vector()));
        // n features of a namespace crossed with itself: n (n + 1) / 2
        final Map<String, Double> five = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            five.put("u^" + i, 1.0);
        }
        assertEquals(5 + 15, HASHER.hash(features(five, Map.of()), 100, inter).nameIndices().length);
    }

    @Test
    void aSelfCrossOfCategoricalNamesComparesTheirWholeNames() {
        // the names are compared whole, values included: "c^k2=w" comes before "c^k=v", as '2' < '='
        final Map<String, String> categorical = new LinkedHashMap<>();
        categorical.put("c^k", "v");
        categorical.put("c^k2", "w");
        final List<String> names = FeatureHasher.names(features(Map.of(), categorical), Interactions.parse("c:c"));
        final String a = "c^k=v";
        final String b = "c^k2=w";
        final String expected = a.compareTo(b) < 0 ? a + "*" + b : b + "*" + a;
        assertTrue(names.contains(expected), names + " has " + expected);
        assertEquals("c^k2=w*c^k=v", expected, "String.compareTo: '2' < '='");
    }

    @Test
    void crossesThatPushARecordOverTheFeatureLimitRefuseIt() {
        final Map<String, Double> numeric = Map.of("a^1", 1.0, "a^2", 1.0, "b^1", 1.0, "b^2", 1.0);
        final Features f = features(numeric, Map.of());
        assertEquals(8, HASHER.hash(f, 8, Interactions.parse("a:b")).nameIndices().length, "at the limit");
        final RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> HASHER.hash(f, 7, Interactions.parse("a:b")));
        assertEquals(RejectReason.TOO_MANY_FEATURES, e.reason());
        assertEquals("8 features with the crosses of the model's interactions (4 named, 4 crossed), more than the"
                + " limit of 7", e.getMessage());
        // without crosses the same record is well within the limit
        assertEquals(4, HASHER.hash(f, 7).nameIndices().length);
    }

    @Test
    void aCrossThatOverflowsIsRefused() {
        final Features f = features(Map.of("a^x", 1e200, "b^y", 1e200), Map.of());
        final RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> HASHER.vectorize(f, 10, Interactions.parse("a:b")));
        assertEquals(RejectReason.NON_FINITE_VALUE, e.reason());
        assertEquals("the cross a^x*b^y is Infinity", e.getMessage());
    }

    @Test
    void namespacesAreThePartBeforeTheFirstCaretOrTheWholeName() {
        assertEquals("user", Interactions.namespace("user^age"));
        assertEquals("user", Interactions.namespace("user^a^b"));
        assertEquals("age", Interactions.namespace("age"));
        final Interactions inter = Interactions.parse("user:age");
        assertEquals(0, inter.slotOf("user^age"));
        assertEquals(0, inter.slotOf("user"));
        assertEquals(-1, inter.slotOf("users^age"));
        assertEquals(-1, inter.slotOf("use"));
        assertEquals(1, inter.slotOf("age"));
        assertEquals(-1, inter.slotOf("ages"));
    }

    @Test
    void theSettingIsParsedToACanonicalForm() {
        assertSame(Interactions.NONE, Interactions.parse(""));
        assertSame(Interactions.NONE, Interactions.parse("  "));
        final Interactions inter = Interactions.parse(" user : ad , user:user ");
        assertEquals("user:ad,user:user", inter.spec());
        assertEquals(inter, Interactions.parse(inter.spec()));
        assertEquals(2, inter.pairs());
        assertTrue(Interactions.NONE.isEmpty());
        assertEquals("", Interactions.NONE.spec());
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "user:ad:x", ":ad", "user:", "us^er:ad", "user:ad,ad:user", "a:b,a:b", "a:b,"})
    void aMalformedSettingIsRefused(final String text) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Interactions.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), "the message names the setting: " + e.getMessage());
    }

    @Test
    void moreThanTheMostPairsAreRefused() {
        final List<String> pairs = new ArrayList<>();
        for (int i = 0; i <= Interactions.MAX_PAIRS; i++) {
            pairs.add("a" + i + ":b");
        }
        assertThrows(IllegalArgumentException.class, () -> Interactions.parse(String.join(",", pairs)));
    }

    @Test
    void noInteractionsHashesAsBefore() {
        final Features f = features(Map.of("x", 2.0), Map.of("c", "v"));
        assertEquals(entries(HASHER.vectorize(f, 10)), entries(HASHER.vectorize(f, 10, Interactions.NONE)));
        assertEquals(f.names(), FeatureHasher.names(f, Interactions.NONE));
        assertEquals(entries(HASHER.vectorize(f, 10)), entries(HASHER.vectorize(f, 10, Interactions.parse("p:q"))),
                "crosses of namespaces the record does not have add nothing");
    }
}
