package io.kafkaolr.testing;

import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.WeightRow;
import io.kafkaolr.offline.CsvDataset;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.serde.RecordFormat;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The real topology in a TopologyTestDriver, fed CSV rows as labeled examples: for comparisons with replay. */
public final class TopologyRun implements AutoCloseable {
    private final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> examples;
    private final RecordCodec<LabeledExample> codec = RecordFormat.AVRO.codec(LabeledExample.class);

    private TopologyRun(final ModelSettings settings, final Path stateDir) {
        final TopologyConfig config = TopologyConfig.defaults("olr-replay-comparison", RecordFormat.AVRO, settings);
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "olr-replay-comparison");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        this.driver = new TopologyTestDriver(OlrTopology.build(config), props);
        final ByteArraySerializer ser = new ByteArraySerializer();
        this.examples = driver.createInputTopic(config.examplesTopic(), ser, ser);
    }

    /** New models get {@code settings}. */
    public static TopologyRun of(final ModelSettings settings, final Path stateDir) {
        return new TopologyRun(settings, stateDir);
    }

    /** Sends every row, in order, as a labeled example of {@code modelId}. */
    public void learnAll(final String modelId, final CsvDataset data) {
        for (final CsvDataset.Row row : data.rows()) {
            final LabeledExample example = LabeledExample.newBuilder().setModelId(modelId)
                    .setNumericFeatures(row.features().numeric())
                    .setCategoricalFeatures(row.features().categorical())
                    .setLabel(row.label()).build();
            examples.pipeInput(modelId.getBytes(StandardCharsets.UTF_8), codec.encode(example));
        }
    }

    /** The model header in the training store. */
    public ModelState model(final String modelId) {
        final KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(OlrTopology.WEIGHTS_STORE);
        return ModelStateCodec.decodeHeader(store.get(Bytes.wrap(ModelTopicFormat.headerKey(modelId))));
    }

    /** The model's weight rows by hashed index. */
    public Map<Integer, WeightRow> rows(final String modelId) {
        final Map<Integer, WeightRow> rows = new TreeMap<>();
        StoreEntries.of(driver.getKeyValueStore(OlrTopology.WEIGHTS_STORE), modelId).forEach((index, value) -> {
            if (ModelStateCodec.isRow(index)) {
                rows.put(index, ModelStateCodec.decodeRow(value));
            }
        });
        return rows;
    }

    @Override
    public void close() {
        driver.close();
    }
}
