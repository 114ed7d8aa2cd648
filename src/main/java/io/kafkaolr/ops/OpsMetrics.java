package io.kafkaolr.ops;

import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.topology.DeadLetters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.DoubleStream;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The processor's metrics in Prometheus' text format, through Micrometer: Kafka Streams' own
 * metrics (Micrometer's binder: {@code kafka_stream_*}), the JVM's ({@code jvm_*},
 * {@code process_*}, {@code system_*}), and kafka-olr's:
 * <ul>
 *   <li>{@code olr_examples_learned_total}, {@code olr_events_scored_total},
 *       {@code olr_commands_applied_total};</li>
 *   <li>{@code olr_dead_letters_total{branch, reason}};</li>
 *   <li>{@code olr_processing_latency_seconds{branch, stat="avg"|"max"}} per record, over
 *       Kafka Streams' metrics window;</li>
 *   <li>per model: {@code olr_model_version{model, side="training"|"scoring"}} (the gap is how
 *       far scoring lags), {@code olr_model_examples{model}},
 *       {@code olr_model_progressive_log_loss{model}}, {@code olr_model_progressive_accuracy{model}}.</li>
 * </ul>
 * The per-model gauges are read from the stores at each scrape: O(models). Scrapes run one at a
 * time, and a model's gauges are registered once, while it is here.
 */
final class OpsMetrics implements AutoCloseable {
    private static final String GROUP = "stream-olr-metrics";
    static final String VERSION = "olr.model.version";
    static final String EXAMPLES = "olr.model.examples";
    static final String LOG_LOSS = "olr.model.progressive.log.loss";
    static final String ACCURACY = "olr.model.progressive.accuracy";
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            VERSION, "updates applied: by training, and in the copy scoring serves",
            EXAMPLES, "examples learned",
            LOG_LOSS, "mean progressive log loss (each example predicted before it is learned)",
            ACCURACY, "progressive accuracy");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics streamsMetrics;
    private final KafkaStreams streams;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Supplier<List<ModelValue>> modelValues;
    /** The per-model gauges registered, by metric and tags: each registered once, its value set at each scrape. */
    private final Map<GaugeKey, ModelGauge> modelGauges = new HashMap<>();

    private record GaugeKey(String metric, Tags tags) {
    }

    /** A per-model gauge and the value it reports (set by the scrape that holds the lock). */
    private static final class ModelGauge {
        private volatile double value;
        private Gauge gauge;
    }

    /** One per-model gauge's value at a scrape: {@code metric} is one of the {@code olr.model.*} names. */
    record ModelValue(String metric, Tags tags, double value) {
    }

    OpsMetrics(final KafkaStreams streams, final LocalModels models) {
        this(streams, () -> readModels(models));
    }

    /** Metrics whose per-model gauges take {@code modelValues} at each scrape (tests give their own). */
    OpsMetrics(final KafkaStreams streams, final Supplier<List<ModelValue>> modelValues) {
        this.modelValues = modelValues;
        this.streams = streams;
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        counter(streams, "olr.examples.learned", "examples-learned-total", "training", "examples learned");
        counter(streams, "olr.events.scored", "events-scored-total", "scoring", "events scored");
        counter(streams, "olr.commands.applied", "commands-applied-total", "training",
                "control commands applied (imports and deletes)");
        for (final String branch : List.of("training", "scoring")) {
            for (final RejectReason reason : RejectReason.values()) {
                if (reason.feedbackOnly()) {
                    continue;
                }
                final String metric = DeadLetters.metricName(reason) + "-total";
                FunctionCounter.builder("olr.dead.letters", streams, s -> values(s, metric, branch).sum())
                        .tags("branch", branch, "reason", reason.name())
                        .description("records sent to the dead-letter topic, by branch and reason")
                        .register(registry);
            }
            final String operation = branch.equals("training") ? "examples-learned" : "events-scored";
            // per stream thread: the mean of the threads' means, the largest of their maxima (NaN: no record)
            Gauge.builder("olr.processing.latency", streams, s -> values(s, operation + "-latency-avg", branch)
                            .filter(Double::isFinite).average().orElse(Double.NaN) / 1e9)
                    .tags("branch", branch, "stat", "avg").baseUnit("seconds")
                    .description("processing time per record (average over the metrics window)").register(registry);
            Gauge.builder("olr.processing.latency", streams, s -> values(s, operation + "-latency-max", branch)
                            .filter(Double::isFinite).max().orElse(Double.NaN) / 1e9)
                    .tags("branch", branch, "stat", "max").baseUnit("seconds")
                    .description("processing time per record (maximum over the metrics window)").register(registry);
        }
    }

    private void counter(final KafkaStreams streams, final String name, final String metric, final String branch,
                         final String description) {
        FunctionCounter.builder(name, streams, s -> values(s, metric, branch).sum()).description(description)
                .register(registry);
    }

    /** The values of kafka-olr's metric {@code name} for {@code branch}, one per stream thread or task. */
    private static DoubleStream values(final KafkaStreams streams, final String name, final String branch) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(GROUP) && e.getKey().name().equals(name)
                        && branch.equals(e.getKey().tags().get("olr-id")))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue());
    }

    /**
     * The metrics now, in Prometheus' text format. One scrape at a time: the per-model gauges
     * are updated, added and removed here, and a meter removed and registered again while
     * another thread's scrape collects it is read twice or not at all (Prometheus' client then
     * refuses the duplicate labels, micrometer-metrics/micrometer#6851).
     */
    /** Adds the feedback loop's meters ({@link FeedbackStats}). */
    void bind(final FeedbackStats feedback) {
        feedback.bindTo(registry);
        final String branch = DeadLetters.FEEDBACK_ROLE;
        for (final RejectReason reason : RejectReason.values()) {
            final String metric = DeadLetters.metricName(reason) + "-total";
            FunctionCounter.builder("olr.dead.letters", streams, s -> values(s, metric, branch).sum())
                    .tags("branch", branch, "reason", reason.name())
                    .description("records sent to the dead-letter topic, by branch and reason")
                    .register(registry);
        }
    }

    synchronized String scrape() {
        refreshModels();
        return registry.scrape();
    }

    /**
     * Sets each per-model gauge to its value now; registers the gauges of models that appeared
     * (once: a gauge reads its value from its holder) and removes those of models no longer here.
     */
    private void refreshModels() {
        final Map<GaugeKey, Double> now = new HashMap<>();
        for (final ModelValue v : modelValues.get()) {
            now.put(new GaugeKey(v.metric(), v.tags()), v.value());
        }
        for (final Iterator<Map.Entry<GaugeKey, ModelGauge>> it = modelGauges.entrySet().iterator(); it.hasNext(); ) {
            final Map.Entry<GaugeKey, ModelGauge> e = it.next();
            if (!now.containsKey(e.getKey())) {
                registry.remove(e.getValue().gauge);
                it.remove();
            }
        }
        now.forEach((key, value) -> {
            ModelGauge holder = modelGauges.get(key);
            if (holder == null) {
                holder = new ModelGauge();
                holder.gauge = Gauge.builder(key.metric(), holder, h -> h.value).tags(key.tags())
                        .description(DESCRIPTIONS.get(key.metric())).strongReference(true).register(registry);
                modelGauges.put(key, holder);
            }
            holder.value = value;
        });
    }

    /** The per-model values now: read from the stores, O(models). */
    static List<ModelValue> readModels(final LocalModels models) {
        final List<ModelValue> values = new ArrayList<>();
        for (final String id : models.ids()) {
            final Optional<LocalModels.Source> source = models.source(id);
            final Optional<ModelState> model = source.flatMap(s -> models.headerIfReadable(id, s));
            if (model.isEmpty()) {
                continue;
            }
            final Tags tags = Tags.of("model", id);
            final ModelState m = model.get();
            if (source.get() == LocalModels.Source.TRAINING) {
                values.add(new ModelValue(VERSION, tags.and("side", "training"), m.version()));
            }
            values.add(new ModelValue(EXAMPLES, tags, m.metrics().examples()));
            values.add(new ModelValue(LOG_LOSS, tags, m.metrics().meanLogLoss()));
            values.add(new ModelValue(ACCURACY, tags, m.metrics().accuracy()));
        }
        // what scoring serves: every model in the global store, wherever it is trained
        for (final String id : models.servedIds()) {
            models.servedVersion(id).ifPresent(v -> values.add(new ModelValue(VERSION,
                    Tags.of("model", id, "side", "scoring"), v)));
        }
        return values;
    }

    @Override
    public void close() {
        streamsMetrics.close();
        gc.close();
        registry.close();
    }
}
