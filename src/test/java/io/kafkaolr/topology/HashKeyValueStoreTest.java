package io.kafkaolr.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.serde.ModelStateCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class HashKeyValueStoreTest {
    private static Bytes key(final String model, final int index) {
        return Bytes.wrap(ModelStateCodec.key(model, index));
    }

    private static List<Bytes> keys(final KeyValueIterator<Bytes, byte[]> it) {
        final List<Bytes> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> out.add(kv.key));
        }
        return out;
    }

    @Test
    void behavesAsAKeyValueStoreWithScansInKeyOrder() {
        final HashKeyValueStore store = new HashKeyValueStore("s");
        store.put(key("b", 2), new byte[] {2});
        store.put(key("a", 9), new byte[] {9});
        store.put(key("a", 1), new byte[] {1});
        store.putAll(List.of(KeyValue.pair(key("b", 1), new byte[] {3})));
        assertArrayEquals(new byte[] {9}, store.get(key("a", 9)));
        assertArrayEquals(new byte[] {9}, store.putIfAbsent(key("a", 9), new byte[] {0}));
        assertEquals(List.of(key("a", 1), key("a", 9), key("b", 1), key("b", 2)), keys(store.all()));
        assertEquals(List.of(key("b", 2), key("b", 1), key("a", 9), key("a", 1)), keys(store.reverseAll()));
        assertEquals(List.of(key("a", 9), key("b", 1)), keys(store.range(key("a", 2), key("b", 1))));
        assertEquals(List.of(key("b", 1), key("b", 2)), keys(store.prefixScan(
                Bytes.wrap(ModelStateCodec.modelPrefix("b")), Serdes.Bytes().serializer())));
        store.put(key("a", 1), null);
        assertNull(store.get(key("a", 1)));
        assertArrayEquals(new byte[] {9}, store.delete(key("a", 9)));
        assertEquals(2, store.approximateNumEntries());
    }

    @Test
    void keysOfOneModelSpreadOverManyHashValues() {
        // Arrays.hashCode gives these 2^18 keys only a few thousand distinct values
        final Set<Integer> plain = new HashSet<>();
        final Set<Integer> mixed = new HashSet<>();
        for (int index = 0; index < 1 << 18; index++) {
            final byte[] k = ModelStateCodec.key("model", index);
            plain.add(Bytes.wrap(k).hashCode());
            mixed.add(HashedKey.of(k).hashCode());
        }
        assertTrue(plain.size() < 20_000, "Arrays.hashCode: " + plain.size() + " distinct");
        assertTrue(mixed.size() > 250_000, "MurmurHash3: " + mixed.size() + " distinct");
    }
}
