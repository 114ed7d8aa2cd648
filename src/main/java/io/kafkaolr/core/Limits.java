package io.kafkaolr.core;

import java.util.Map;

/**
 * How far input may make the processor's state and outputs grow. Each limit is checked where
 * the growth would happen, before anything changes, and refused with
 * {@link RejectReason#LIMIT_EXCEEDED} naming the limit, its value and the setting that raises it.
 * Together they bound every record the processor writes (see README, "Limits"), so that no
 * input can make an output that Kafka refuses.
 *
 * @param recordBytes the largest input record: value, key and headers together
 *     ({@code olr.max-record-bytes}); larger records are not parsed
 * @param features the most features one record may name ({@code olr.max-features})
 * @param idBytes the longest event key, event id and example id, in bytes
 *     ({@code olr.limits.id-bytes}); model ids have their own fixed limit of 200 bytes
 * @param recordHeadersBytes the most bytes of Kafka headers an input record may carry
 *     ({@code olr.limits.record-headers-bytes}); a prediction keeps its event's headers
 * @param labelBytes the longest class label, in UTF-8 bytes ({@code olr.limits.label-bytes})
 * @param classes the most classes one model may have ({@code olr.limits.classes})
 * @param featureNameBytes the longest feature name, in UTF-8 bytes, the name of a categorical
 *     feature being {@code name=value} ({@code olr.limits.feature-name-bytes})
 * @param namesPerRow the most feature names kept per weight row; further names of a row that
 *     collides are not kept ({@code olr.limits.names-per-row})
 * @param rowsPerModel the most weight rows one model may have ({@code olr.limits.rows-per-model})
 * @param modelsPerTask the most models one training task may hold ({@code olr.limits.models-per-task})
 * @param modelHeaderBytes the largest stored model header ({@code olr.limits.model-header-bytes})
 * @param importBytes the largest import, all its parts' entries together ({@code olr.limits.import-bytes})
 * @param deadLetterOriginalBytes how many bytes of the original value a dead letter keeps
 *     ({@code olr.dead-letters.max-original-bytes}); the original's size and SHA-256 are always kept
 */
public record Limits(
        int recordBytes,
        int features,
        int idBytes,
        int recordHeadersBytes,
        int labelBytes,
        int classes,
        int featureNameBytes,
        int namesPerRow,
        int rowsPerModel,
        int modelsPerTask,
        int modelHeaderBytes,
        long importBytes,
        int deadLetterOriginalBytes) {

    /** The default most features per record (a constant, for command-line defaults). */
    public static final int DEFAULT_FEATURES = 10_000;

    /** The defaults: far above what real data needs, well below what Kafka refuses (1 MiB records). */
    public static final Limits DEFAULT = new Limits(1 << 20, DEFAULT_FEATURES, 4096, 64 * 1024, 256, 1000, 4096, 16, 1 << 24, 100_000,
            512 * 1024, 256L << 20, 64 * 1024);

    /** Validates. */
    public Limits {
        atLeast("olr.max-record-bytes", recordBytes, 64);
        atLeast("olr.max-features", features, 1);
        atLeast("olr.limits.id-bytes", idBytes, 1);
        atLeast("olr.limits.record-headers-bytes", recordHeadersBytes, 0);
        atLeast("olr.limits.label-bytes", labelBytes, 1);
        // a stored string is at most 65535 bytes of modified UTF-8 (up to 3 per char of 16 bits)
        atMost("olr.limits.label-bytes", labelBytes, 16_384);
        atLeast("olr.limits.classes", classes, 2);
        atLeast("olr.limits.feature-name-bytes", featureNameBytes, 1);
        atMost("olr.limits.feature-name-bytes", featureNameBytes, 16_384);
        atLeast("olr.limits.names-per-row", namesPerRow, 0);
        atLeast("olr.limits.rows-per-model", rowsPerModel, 1);
        atLeast("olr.limits.models-per-task", modelsPerTask, 1);
        atLeast("olr.limits.model-header-bytes", modelHeaderBytes, 1024);
        atLeast("olr.limits.import-bytes", importBytes, 1024);
        atLeast("olr.dead-letters.max-original-bytes", deadLetterOriginalBytes, 0);
    }

    private static void atLeast(final String setting, final long value, final long least) {
        if (value < least) {
            throw new IllegalArgumentException(setting + " must be >= " + least + ", got " + value);
        }
    }

    private static void atMost(final String setting, final long value, final long most) {
        if (value > most) {
            throw new IllegalArgumentException(setting + " must be <= " + most + ", got " + value);
        }
    }

    /** A copy with other record and feature limits (the others unchanged). */
    public Limits withRecord(final int newFeatures, final int newRecordBytes) {
        return new Limits(newRecordBytes, newFeatures, idBytes, recordHeadersBytes, labelBytes, classes, featureNameBytes, namesPerRow,
                rowsPerModel, modelsPerTask, modelHeaderBytes, importBytes, deadLetterOriginalBytes);
    }

    /**
     * The refusal of {@code what}, which is {@code actual} against the limit {@code limit} set by
     * {@code setting}: {@link RejectReason#LIMIT_EXCEEDED} with all three named.
     */
    public static RejectedInputException exceeded(final String what, final long actual, final long limit,
                                                  final String setting) {
        return new RejectedInputException(RejectReason.LIMIT_EXCEEDED, what + " (" + actual + ") is over the limit of "
                + limit + " (" + setting + ")");
    }

    /** Refuses a label longer than {@link #labelBytes}. */
    public void checkLabel(final String label) {
        if (longer(label, labelBytes)) {
            throw exceeded("the label's length in bytes", utf8Length(label), labelBytes, "olr.limits.label-bytes");
        }
    }

    /** Refuses a feature name longer than {@link #featureNameBytes}. */
    public void checkFeatureName(final String name) {
        if (longer(name, featureNameBytes)) {
            throw exceeded("feature '" + abbreviate(name) + "'s length in bytes", utf8Length(name), featureNameBytes,
                    "olr.limits.feature-name-bytes");
        }
    }

    /** Refuses an id (record key, event or example id) longer than {@link #idBytes}. */
    public void checkId(final String what, final String id) {
        if (longer(id, idBytes)) {
            throw exceeded(what + "'s length in bytes", utf8Length(id), idBytes, "olr.limits.id-bytes");
        }
    }

    /** Refuses features whose names ({@code name=value} for categorical ones) are longer than {@link #featureNameBytes}. */
    public void checkFeatureNames(final Features features) {
        for (final String name : features.numeric().keySet()) {
            checkFeatureName(name);
        }
        for (final Map.Entry<String, String> e : features.categorical().entrySet()) {
            final String name = e.getKey();
            final String value = e.getValue();
            if (name.length() + 1 + value.length() > featureNameBytes / 3
                    && utf8Length(name) + 1 + utf8Length(value) > featureNameBytes) {
                checkFeatureName(FeatureHasher.categoricalName(name, value));
            }
        }
    }

    private static boolean longer(final String text, final int limit) {
        // a char is at most 3 bytes of UTF-8: most strings need not be measured
        return text.length() > limit / 3 && utf8Length(text) > limit;
    }

    private static String abbreviate(final String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    /** The length of {@code text} in UTF-8, without encoding it. */
    public static int utf8Length(final CharSequence text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
