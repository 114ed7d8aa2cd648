package io.kafkaolr.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Feature crosses, as Vowpal Wabbit's {@code -q}: pairs of namespaces {@code A:B} whose features
 * are multiplied, every feature of {@code A} in a record with every feature of {@code B}.
 *
 * <p>The namespace of a feature is read from the name it is given by ({@link #namespace}): the
 * part of the name before its first {@code ^}, or the whole name when it has none. A VW feature
 * {@code ns^f} is in namespace {@code ns}; a feature of VW's default namespace, a CSV column and
 * any name without {@code ^} is its own namespace. A categorical feature {@code c -> v} is in the
 * namespace of {@code c} (a CSV categorical column is one namespace, whatever its value).
 *
 * <p>The cross of features {@code a} and {@code b} is the numeric feature named
 * {@link #crossName a*b} (each part as it is hashed: {@code name} or {@code name=value}) with value
 * {@code value(a) * value(b)}, a categorical feature's value being 1. For {@code A:B} with
 * {@code A != B} that is {@code nnz_A * nnz_B} features a record; for {@code A:A} it is every
 * pair of features of {@code A} taken once, a feature with itself included (as VW's {@code -q aa}:
 * squares of numeric features), {@code nnz_A * (nnz_A + 1) / 2} features, each named with the
 * smaller of its two names (by {@link String#compareTo}) first, so that the name does not depend
 * on the order features arrive in.
 *
 * <p>Immutable. Part of a model's settings: a model is trained and scored with the same crosses.
 */
public final class Interactions {
    /** No crosses. */
    public static final Interactions NONE = new Interactions(new String[0], new String[0]);
    /** The most pairs one model may cross. */
    public static final int MAX_PAIRS = 64;
    /** The longest namespace, in characters. */
    public static final int MAX_NAMESPACE_LENGTH = 256;

    private final String[] first;
    private final String[] second;
    // the distinct namespaces named, and each pair's two as positions among them
    private final String[] namespaces;
    private final int[] firstSlot;
    private final int[] secondSlot;

    private Interactions(final String[] first, final String[] second) {
        this.first = first;
        this.second = second;
        final List<String> distinct = new ArrayList<>();
        this.firstSlot = new int[first.length];
        this.secondSlot = new int[first.length];
        for (int p = 0; p < first.length; p++) {
            firstSlot[p] = slot(distinct, first[p]);
            secondSlot[p] = slot(distinct, second[p]);
        }
        this.namespaces = distinct.toArray(new String[0]);
    }

    private static int slot(final List<String> distinct, final String namespace) {
        final int at = distinct.indexOf(namespace);
        if (at >= 0) {
            return at;
        }
        distinct.add(namespace);
        return distinct.size() - 1;
    }

    /**
     * The crosses of a setting such as {@code user:ad,user:user}: pairs {@code A:B} separated by
     * commas, blanks around each part ignored; an empty or blank text is {@link #NONE}.
     *
     * @throws IllegalArgumentException for a pair without exactly one {@code :}, an empty
     *     namespace or one with {@code ^} or {@code ,}, a pair given twice (also as {@code B:A},
     *     which would only duplicate its features under other names), or more than
     *     {@value #MAX_PAIRS} pairs
     */
    public static Interactions parse(final String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        final String[] pairs = text.split(",", -1);
        if (pairs.length > MAX_PAIRS) {
            throw new IllegalArgumentException("at most " + MAX_PAIRS + " interactions, got " + pairs.length);
        }
        final String[] first = new String[pairs.length];
        final String[] second = new String[pairs.length];
        final Set<String> seen = new HashSet<>();
        for (int p = 0; p < pairs.length; p++) {
            final String[] parts = pairs[p].split(":", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("an interaction is two namespaces A:B, got '" + pairs[p].trim()
                        + "' in '" + text + "'");
            }
            first[p] = namespaceOf(parts[0], text);
            second[p] = namespaceOf(parts[1], text);
            final boolean ordered = first[p].compareTo(second[p]) <= 0;
            final String key = ordered ? first[p] + ":" + second[p] : second[p] + ":" + first[p];
            if (!seen.add(key)) {
                throw new IllegalArgumentException("the interaction " + first[p] + ":" + second[p]
                        + " is given twice (A:B and B:A cross the same features) in '" + text + "'");
            }
        }
        return new Interactions(first, second);
    }

    private static String namespaceOf(final String part, final String text) {
        final String ns = part.trim();
        if (ns.isEmpty() || ns.indexOf('^') >= 0 || ns.length() > MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException("a namespace of an interaction is a non-empty name of at most "
                    + MAX_NAMESPACE_LENGTH + " characters without '^', got '" + ns + "' in '" + text + "'");
        }
        return ns;
    }

    /** Whether there are no crosses. */
    public boolean isEmpty() {
        return first.length == 0;
    }

    /** The number of pairs. */
    public int pairs() {
        return first.length;
    }

    /** The crosses as the setting gives them, canonical: {@code A:B} pairs joined by commas ({@code ""}: none). */
    public String spec() {
        final StringBuilder out = new StringBuilder();
        for (int p = 0; p < first.length; p++) {
            out.append(p == 0 ? "" : ",").append(first[p]).append(':').append(second[p]);
        }
        return out.toString();
    }

    /** The namespace of the feature named {@code name}: the part before its first {@code ^}, else the whole name. */
    public static String namespace(final String name) {
        final int caret = name.indexOf('^');
        return caret < 0 ? name : name.substring(0, caret);
    }

    /** The name of the cross of the features named {@code a} and {@code b} (as they are hashed). */
    public static String crossName(final String a, final String b) {
        return a + "*" + b;
    }

    /** The number of distinct namespaces the pairs name. */
    int namespaceCount() {
        return namespaces.length;
    }

    /**
     * The position, among the distinct namespaces, of the namespace of the feature (or
     * categorical column) named {@code name}; -1 if no pair names it. Allocates nothing.
     */
    int slotOf(final String name) {
        for (int s = 0; s < namespaces.length; s++) {
            final String ns = namespaces[s];
            // a namespace has no '^': the name is in it if it is the namespace, or starts with it and '^'
            if (name.startsWith(ns) && (name.length() == ns.length() || name.charAt(ns.length()) == '^')) {
                return s;
            }
        }
        return -1;
    }

    /** The slot of the first namespace of pair {@code p}. */
    int firstSlot(final int p) {
        return firstSlot[p];
    }

    /** The slot of the second namespace of pair {@code p}. */
    int secondSlot(final int p) {
        return secondSlot[p];
    }

    /** The number of crosses a record with {@code perSlot[s]} features in each namespace gets. */
    long crossCount(final int[] perSlot) {
        long n = 0;
        for (int p = 0; p < first.length; p++) {
            final long a = perSlot[firstSlot[p]];
            n += firstSlot[p] == secondSlot[p] ? a * (a + 1) / 2 : a * perSlot[secondSlot[p]];
        }
        return n;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Interactions other && spec().equals(other.spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
