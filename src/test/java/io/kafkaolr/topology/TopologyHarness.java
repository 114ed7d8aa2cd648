package io.kafkaolr.topology;

import io.kafkaolr.avro.DeadLetter;
import io.kafkaolr.avro.Event;
import io.kafkaolr.avro.LabeledExample;
import io.kafkaolr.avro.ModelMetrics;
import io.kafkaolr.avro.Prediction;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import io.kafkaolr.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** A TopologyTestDriver around {@link OlrTopology} with typed helpers for its topics and stores. */
final class TopologyHarness implements AutoCloseable {
    final TopologyConfig config;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> examples;
    final TestInputTopic<byte[], byte[]> events;
    final TestInputTopic<byte[], byte[]> control;
    final ModelDirectory directory = new ModelDirectory();
    final TestOutputTopic<byte[], byte[]> predictions;
    final TestOutputTopic<byte[], byte[]> deadLetters;
    final TestOutputTopic<byte[], byte[]> model;
    final RecordCodec<LabeledExample> exampleCodec;
    final RecordCodec<Event> eventCodec;
    final RecordCodec<Prediction> predictionCodec;
    final RecordCodec<DeadLetter> deadLetterCodec;
    final TestOutputTopic<byte[], byte[]> metrics;
    final RecordCodec<ModelMetrics> metricsCodec;

    TopologyHarness(final TopologyConfig config, final Path stateDir) {
        this(config, stateDir, FeedbackObserver.NONE);
    }

    TopologyHarness(final TopologyConfig config, final Path stateDir, final FeedbackObserver feedback) {
        this.config = config;
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        this.driver = new TopologyTestDriver(OlrTopology.build(config, directory, feedback), props);
        final ByteArraySerializer ser = new ByteArraySerializer();
        final ByteArrayDeserializer de = new ByteArrayDeserializer();
        this.examples = driver.createInputTopic(config.examplesTopic(), ser, ser);
        this.events = driver.createInputTopic(config.eventsTopic(), ser, ser);
        this.control = driver.createInputTopic(config.controlTopic(), ser, ser);
        this.predictions = driver.createOutputTopic(config.predictionsTopic(), de, de);
        this.deadLetters = driver.createOutputTopic(config.deadLettersTopic(), de, de);
        this.model = driver.createOutputTopic(config.modelTopic(), de, de);
        this.metrics = config.role().trains() ? driver.createOutputTopic(config.metrics().topic(), de, de) : null;
        this.metricsCodec = config.format().codec(ModelMetrics.class);
        this.exampleCodec = config.format().codec(LabeledExample.class);
        this.eventCodec = config.format().codec(Event.class);
        this.predictionCodec = config.format().codec(Prediction.class);
        this.deadLetterCodec = config.format().codec(DeadLetter.class);
    }

    static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static LabeledExample example(final String modelId, final Map<String, Double> numeric, final String label) {
        return LabeledExample.newBuilder().setModelId(modelId).setNumericFeatures(numeric).setLabel(label).build();
    }

    static Event event(final String id, final String modelId, final Map<String, Double> numeric) {
        return Event.newBuilder().setId(id).setModelId(modelId).setNumericFeatures(numeric).build();
    }

    void learn(final LabeledExample example) {
        examples.pipeInput(utf8(example.getModelId()), exampleCodec.encode(example));
    }

    void score(final String key, final Event event) {
        events.pipeInput(utf8(key), eventCodec.encode(event));
    }

    List<KeyValue<String, Prediction>> readPredictions() {
        final List<KeyValue<String, Prediction>> out = new ArrayList<>();
        for (final TestRecord<byte[], byte[]> r : predictions.readRecordsToList()) {
            out.add(KeyValue.pair(new String(r.key(), StandardCharsets.UTF_8), predictionCodec.decode(r.value())));
        }
        return out;
    }

    /** Lets wall-clock time pass (punctuations fire), then reads the metrics published. */
    List<ModelMetrics> metricsAfter(final java.time.Duration wallClock) {
        driver.advanceWallClockTime(wallClock);
        return metrics.readRecordsToList().stream().map(r -> metricsCodec.decode(r.value())).toList();
    }

    List<TestRecord<byte[], byte[]>> readDeadLetters() {
        return deadLetters.readRecordsToList();
    }

    KeyValueStore<Bytes, byte[]> weightsStore() {
        return driver.getKeyValueStore(OlrTopology.WEIGHTS_STORE);
    }

    KeyValueStore<Bytes, byte[]> globalStore() {
        return driver.getKeyValueStore(OlrTopology.MODEL_GLOBAL_STORE);
    }

    /** The model's header in the training store, or null. */
    ModelState trainedModel(final String modelId) {
        final byte[] header = weightsStore().get(Bytes.wrap(ModelTopicFormat.headerKey(modelId)));
        return header == null ? null : ModelStateCodec.decodeHeader(header);
    }

    /** The sum over all tags of a processor counter such as {@code dead-letters-unknown-label-total}. */
    double counter(final String name) {
        double sum = 0;
        boolean found = false;
        for (final Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
            if (e.getKey().group().equals("stream-olr-metrics") && e.getKey().name().equals(name)) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no metric " + name + " in group stream-olr-metrics");
        }
        return sum;
    }

    @Override
    public void close() {
        driver.close();
    }
}
