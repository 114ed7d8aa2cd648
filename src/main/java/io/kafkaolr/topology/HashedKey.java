package io.kafkaolr.topology;

import java.util.Arrays;
import org.apache.commons.codec.digest.MurmurHash3;
import org.apache.kafka.common.utils.Bytes;

/**
 * A store key with a well-mixed hash, for hash maps. {@code Bytes.hashCode} is
 * {@code Arrays.hashCode}, which maps kafka-olr's keys (a model id, then a 4-byte index) onto
 * a few thousand values: about twenty keys per value at 2^18 rows, so hash buckets degrade
 * into trees.
 *
 * @param bytes the key
 * @param hash MurmurHash3 of the key
 */
record HashedKey(byte[] bytes, int hash) {

    static HashedKey of(final Bytes key) {
        return of(key.get());
    }

    static HashedKey of(final byte[] bytes) {
        return new HashedKey(bytes, MurmurHash3.hash32x86(bytes, 0, bytes.length, 0));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof HashedKey other && other.hash == hash && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public String toString() {
        return Bytes.wrap(bytes).toString();
    }
}
