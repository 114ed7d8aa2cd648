package io.kafkaolr.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordCodecTest {

    private static LabeledExample example() {
        return LabeledExample.newBuilder()
                .setModelId("m1")
                .setNumericFeatures(Map.of("age", 31.5))
                .setCategoricalFeatures(Map.of("country", "FR"))
                .setLabel("1")
                .setImportance(2.0)
                .setId("e-7")
                .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }

    @ParameterizedTest
    @EnumSource(RecordFormat.class)
    void givenAnyRecordWhenEncodedAndDecodedThenItIsEqual(final RecordFormat format) {
        final RecordCodec<LabeledExample> codec = format.codec(LabeledExample.class);
        assertEquals(example(), codec.decode(codec.encode(example())));

        final Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("0", 0.25);
        probabilities.put("1", 0.75);
        final Prediction prediction = new Prediction("e1", "m1", probabilities, "1", 42L, 1.0986);
        final RecordCodec<Prediction> predictions = format.codec(Prediction.class);
        assertEquals(prediction, predictions.decode(predictions.encode(prediction)));

        final DeadLetter letter = new DeadLetter("UNPARSEABLE", "why", "t", 0, 5L, null,
                ByteBuffer.wrap(new byte[] {(byte) 0xff, 0}), -1L, 2L, "ab12", null, null);
        final RecordCodec<DeadLetter> letters = format.codec(DeadLetter.class);
        assertEquals(letter, letters.decode(letters.encode(letter)));
        final DeadLetter text = new DeadLetter("UNPARSEABLE", "why", "t", 0, 5L, null, null, 1L, 9L, "ab12", "m",
                "{\"id\":\"é\"");
        assertEquals(text, letters.decode(letters.encode(text)));
    }

    @Test
    void handTypedJsonLeavesOutDefaultsAndAcceptsANumericLabel() {
        final LabeledExample e = RecordFormat.JSON.codec(LabeledExample.class).decode(
                "{\"model_id\":\"m1\",\"numeric_features\":{\"x\":1e3},\"label\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("1", e.getLabel());
        assertEquals(1.0, e.getImportance());
        assertEquals(Map.of(), e.getCategoricalFeatures());
        assertEquals(null, e.getId());
        assertEquals(1000.0, e.getNumericFeatures().get("x"));
    }

    @Test
    void jsonProblemsAreNamedWithTheirReason() {
        final RecordCodec<LabeledExample> codec = RecordFormat.JSON.codec(LabeledExample.class);
        assertReason(RejectReason.UNPARSEABLE, "{\"model_id\":", codec);
        assertReason(RejectReason.UNPARSEABLE, "[1,2]", codec);
        assertReason(RejectReason.MISSING_FIELD, "{\"model_id\":\"m\"}", codec, "label");
        assertReason(RejectReason.INVALID_VALUE, "{\"model_id\":\"m\",\"label\":\"1\",\"lable\":\"1\"}", codec, "lable");
        assertReason(RejectReason.INVALID_VALUE, "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":\"3\"}}",
                codec, "numeric_features.x");
        assertReason(RejectReason.MISSING_FIELD, "{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":null}}",
                codec, "numeric_features.x");
        // NaN parses, so that validation can name the feature
        final LabeledExample nan = codec.decode("{\"model_id\":\"m\",\"label\":\"1\",\"numeric_features\":{\"x\":NaN}}"
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(Double.isNaN(nan.getNumericFeatures().get("x")));
    }

    @Test
    void eachFormatWritesItselfAndReadsBothToldApartByTheFirstBytes() {
        final RecordCodec<LabeledExample> avro = RecordFormat.AVRO.codec(LabeledExample.class);
        final RecordCodec<LabeledExample> json = RecordFormat.JSON.codec(LabeledExample.class);
        final LabeledExample example = example();
        final byte[] avroBytes = avro.encode(example);
        final byte[] jsonBytes = json.encode(example);
        assertEquals((byte) 0xC3, avroBytes[0]);
        assertEquals('{', jsonBytes[0]);
        for (final RecordCodec<LabeledExample> codec : List.of(avro, json)) {
            assertEquals(example, codec.decode(avroBytes));
            assertEquals(example, codec.decode(jsonBytes));
            // JSON typed by hand may start with spaces or a newline
            final byte[] spaced = ("  \n" + new String(jsonBytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            assertEquals(example, codec.decode(spaced));
        }
        // neither: refused as the written format refuses it, which says what it expected
        assertReason(RejectReason.UNPARSEABLE, "label=1".getBytes(StandardCharsets.UTF_8), avro);
        assertReason(RejectReason.UNPARSEABLE, "label=1".getBytes(StandardCharsets.UTF_8), json);
    }

    @Test
    void corruptAvroBytesAreUnparseableNeverAnotherException() {
        final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);
        final byte[] good = codec.encode(example());
        assertReason(RejectReason.UNPARSEABLE, new byte[0], codec);
        // a JSON object is read as JSON, whichever format the codec writes: this one lacks the label
        assertReason(RejectReason.MISSING_FIELD, "{\"model_id\":\"m\"}".getBytes(StandardCharsets.UTF_8), codec);
        assertReason(RejectReason.UNPARSEABLE, RecordFormat.AVRO.codec(Prediction.class).encode(
                new Prediction("e", "m", Map.of("a", 1.0), "a", 1L, null)), codec);
        final Random random = new Random(1);
        for (int cut = 0; cut < good.length; cut++) {
            assertReason(RejectReason.UNPARSEABLE, Arrays.copyOf(good, cut), codec);
        }
        // flipped bytes after the header: either a (different) valid record or UNPARSEABLE
        for (int i = 0; i < 2000; i++) {
            final byte[] flipped = good.clone();
            flipped[10 + random.nextInt(flipped.length - 10)] = (byte) random.nextInt(256);
            try {
                codec.decode(flipped);
            } catch (final RejectedInputException e) {
                assertEquals(RejectReason.UNPARSEABLE, e.reason());
            }
        }
    }

    @Test
    void anAvroDatumClaimingAHugeMapIsRefusedWithoutAllocatingIt() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        out.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(SchemaNormalization.parsingFingerprint64(LabeledExample.getClassSchema())).array());
        final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeString("m1");
        encoder.writeMapStart();
        encoder.setItemCount(2_000_000_000L); // a map block of two billion entries, and no entries
        encoder.flush();
        assertReason(RejectReason.UNPARSEABLE, out.toByteArray(), RecordFormat.AVRO.codec(LabeledExample.class));
    }

    @Test
    void anAvroDatumClaimingAHugeArrayIsRefusedWithoutAllocatingIt() throws Exception {
        // found by the topology fuzz test: an import command cut after its entries array's count
        // byte (0x80, a varint continued) and followed by 8 random bytes, which Avro read as an
        // array of about 2^31 entries and allocated before reading one (OutOfMemoryError)
        final byte[] mutated = java.util.HexFormat.of()
                .parseHex("c301f7e3ebd0bc772f9f026d0000000280efd3f40cd25db012");
        withAvrosLimitsAsTheyAreWhenReadTooEarly(() -> assertReason(RejectReason.UNPARSEABLE, mutated,
                RecordFormat.AVRO.codec(ModelCommand.class), "does not fit in the"));
    }

    @Test
    void aCommandCutAndEditedIntoTwoBillionEntriesIsRefusedWhateverAvrosLimits() throws Exception {
        // found by the topology fuzz test: the import of a stored model cut to 45 bytes, its byte 15
        // (the parts count) set to 0xFF, so that the entries' count is read from the first entry's
        // index: 2,147,483,141 entries. Avro allocated them whenever its limits had been read before
        // a codec set them (an Avro record built with a default value reads them), and the JVM ran
        // out of heap
        final byte[] mutated = java.util.HexFormat.of().parseHex("c301f7e3ebd0bc772f9f026d000000ff0c89f8ffff0f"
                + "100000000100027830d3f7ffff0f0e0000000100017903");
        assertEquals(45, mutated.length);
        withAvrosLimitsAsTheyAreWhenReadTooEarly(() -> assertReason(RejectReason.UNPARSEABLE, mutated,
                RecordFormat.AVRO.codec(ModelCommand.class), "ModelCommand",
                "an array or map block of 2147483141 items does not fit in the 22 bytes that remain"));
        assertReason(RejectReason.UNPARSEABLE, mutated, RecordFormat.AVRO.codec(ModelCommand.class),
                "does not fit in the 22 bytes");
    }

    @Test
    void aStringOrBytesValueLongerThanTheRecordIsRefusedWithoutAllocatingIt() throws Exception {
        final RecordCodec<ModelCommand> codec = RecordFormat.AVRO.codec(ModelCommand.class);
        final byte[] good = codec.encode(ControlCommands.delete("m"));
        // the model id's length, a varint of 2^30 - 1 in place of 1 (and the id's byte)
        final byte[] longId = java.util.HexFormat.of().parseHex("feffffff07");
        final byte[] bytes = new byte[good.length - 2 + longId.length];
        System.arraycopy(good, 0, bytes, 0, 10);
        System.arraycopy(longId, 0, bytes, 10, longId.length);
        System.arraycopy(good, 12, bytes, 10 + longId.length, good.length - 12);
        withAvrosLimitsAsTheyAreWhenReadTooEarly(() -> assertReason(RejectReason.UNPARSEABLE, bytes, codec,
                "a string of 1073741823 bytes does not fit in the"));
    }

    /**
     * Runs {@code check} with Avro's length limits as they are in a JVM where Avro read them before
     * any codec set them: up to 2^31 items or bytes. Avro reads its properties when its
     * {@code SystemLimitException} class is initialised, and re-reads them only through a method of
     * its own package, called here for the test.
     */
    private static void withAvrosLimitsAsTheyAreWhenReadTooEarly(final Runnable check) throws Exception {
        final List<String> properties = List.of(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY,
                SystemLimitException.MAX_STRING_LENGTH_PROPERTY, SystemLimitException.MAX_BYTES_LENGTH_PROPERTY);
        final Map<String, String> saved = new LinkedHashMap<>();
        properties.forEach(p -> saved.put(p, System.getProperty(p)));
        final java.lang.reflect.Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
        reset.setAccessible(true);
        try {
            properties.forEach(System::clearProperty);
            reset.invoke(null);
            // Avro would now allocate an array of two billion items
            SystemLimitException.checkMaxCollectionLength(2_000_000_000L);
            check.run();
        } finally {
            saved.forEach((p, v) -> {
                if (v != null) {
                    System.setProperty(p, v);
                }
            });
            reset.invoke(null);
        }
    }

    private static void assertReason(final RejectReason reason, final String json, final RecordCodec<?> codec,
                                     final String... mentioned) {
        assertReason(reason, json.getBytes(StandardCharsets.UTF_8), codec, mentioned);
    }

    private static void assertReason(final RejectReason reason, final byte[] bytes, final RecordCodec<?> codec,
                                     final String... mentioned) {
        final RejectedInputException e = assertThrows(RejectedInputException.class, () -> codec.decode(bytes),
                () -> "expected " + reason + " for " + Arrays.toString(bytes));
        assertEquals(reason, e.reason(), e.getMessage());
        for (final String word : mentioned) {
            assertTrue(e.getMessage().contains(word), e.getMessage() + " should name " + word);
        }
    }

    @Test
    void encodedAvroStartsWithTheSingleObjectMarker() {
        final byte[] bytes = RecordFormat.AVRO.codec(LabeledExample.class).encode(example());
        assertArrayEquals(new byte[] {(byte) 0xC3, 0x01}, Arrays.copyOf(bytes, 2));
    }
}
