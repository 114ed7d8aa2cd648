package io.kafkaolr.topology;

import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.serde.RecordFormat;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the topology needs, validated. Built by the app from properties
 * ({@code io.kafkaolr.app.OlrConfig}); tests build it directly.
 *
 * @param examplesTopic labeled examples in, keyed by model id
 * @param eventsTopic unlabeled events in, keyed any way
 * @param predictionsTopic predictions out, keyed like their events
 * @param deadLettersTopic records that could not be used, with the reason
 * @param modelTopic compacted: changed weight rows and model headers, read by every instance
 * @param format the wire format of examples, events, predictions and dead letters
 * @param modelDefaults the settings a model gets when its first example arrives
 * @param maxFeatures the most features one record may name
 * @param maxRecordBytes the largest record value accepted; larger ones are not parsed
 * @param requireModelIdKey refuse examples whose record key is not their model id (see README)
 * @param publishInterval how often changed weights are published to the model topic
 * @param examplesPartitions the examples topic's partition count, to check that every example
 *     is on its model's partition (Kafka's default partitioner); 0 skips the check
 * @param weightsStore where the training store keeps its entries (changelogged either way)
 * @param modelStore where the scoring side's global copy of the models lives (rebuilt from
 *     the model topic either way)
 * @param weightsCache put Kafka Streams' record cache in front of the training store: fewer
 *     changelog records when the same features recur within a commit interval, more cost per
 *     access (see BENCHMARKS.md)
 */
public record TopologyConfig(
        String examplesTopic,
        String eventsTopic,
        String predictionsTopic,
        String deadLettersTopic,
        String modelTopic,
        RecordFormat format,
        ModelSettings modelDefaults,
        int maxFeatures,
        int maxRecordBytes,
        boolean requireModelIdKey,
        Duration publishInterval,
        int examplesPartitions,
        StoreKind weightsStore,
        StoreKind modelStore,
        boolean weightsCache) {

    /** The kind of a state store. */
    public enum StoreKind {
        /** RocksDB on local disk: models larger than memory, fast restart from the local copy. */
        ROCKSDB,
        /** On the heap: fastest reads, rebuilt from the changelog or model topic at every start. */
        MEMORY;

        /** Parses {@code rocksdb} or {@code memory}, any case. */
        public static StoreKind parse(final String text) {
            try {
                return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown store kind '" + text + "': expected rocksdb or memory", e);
            }
        }
    }

    /** Default maximum number of features per record. */
    public static final int DEFAULT_MAX_FEATURES = 10_000;
    /** Default maximum record size: 1 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    /** Validates the configuration. */
    public TopologyConfig {
        Objects.requireNonNull(examplesTopic, "examplesTopic");
        Objects.requireNonNull(eventsTopic, "eventsTopic");
        Objects.requireNonNull(predictionsTopic, "predictionsTopic");
        Objects.requireNonNull(deadLettersTopic, "deadLettersTopic");
        Objects.requireNonNull(modelTopic, "modelTopic");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modelDefaults, "modelDefaults");
        Objects.requireNonNull(publishInterval, "publishInterval");
        Objects.requireNonNull(weightsStore, "weightsStore");
        Objects.requireNonNull(modelStore, "modelStore");
        if (maxFeatures < 1) {
            throw new IllegalArgumentException("max features must be >= 1, got " + maxFeatures);
        }
        if (maxRecordBytes < 64) {
            throw new IllegalArgumentException("max record bytes must be >= 64, got " + maxRecordBytes);
        }
        if (examplesPartitions < 0) {
            throw new IllegalArgumentException("examples partitions must be >= 0, got " + examplesPartitions);
        }
        if (publishInterval.isNegative() || publishInterval.isZero()) {
            throw new IllegalArgumentException("publish interval must be positive, got " + publishInterval);
        }
    }

    /** The default topic names with the given format and model settings. */
    public static TopologyConfig defaults(final RecordFormat format, final ModelSettings modelDefaults) {
        return new TopologyConfig("olr-examples", "olr-events", "olr-predictions", "olr-dead-letters", "olr-model",
                format, modelDefaults, DEFAULT_MAX_FEATURES, DEFAULT_MAX_RECORD_BYTES, true, Duration.ofSeconds(1), 0,
                StoreKind.MEMORY, StoreKind.MEMORY, false);
    }

    /** A copy with another publish interval. */
    public TopologyConfig withPublishInterval(final Duration interval) {
        return new TopologyConfig(examplesTopic, eventsTopic, predictionsTopic, deadLettersTopic, modelTopic, format,
                modelDefaults, maxFeatures, maxRecordBytes, requireModelIdKey, interval, examplesPartitions,
                weightsStore, modelStore, weightsCache);
    }

    /** A copy that checks examples against a topic of {@code partitions} partitions. */
    public TopologyConfig withExamplesPartitions(final int partitions) {
        return new TopologyConfig(examplesTopic, eventsTopic, predictionsTopic, deadLettersTopic, modelTopic, format,
                modelDefaults, maxFeatures, maxRecordBytes, requireModelIdKey, publishInterval, partitions,
                weightsStore, modelStore, weightsCache);
    }

    /** A copy with other store kinds. */
    public TopologyConfig withStores(final StoreKind weights, final StoreKind models) {
        return new TopologyConfig(examplesTopic, eventsTopic, predictionsTopic, deadLettersTopic, modelTopic, format,
                modelDefaults, maxFeatures, maxRecordBytes, requireModelIdKey, publishInterval, examplesPartitions,
                weights, models, weightsCache);
    }
}
