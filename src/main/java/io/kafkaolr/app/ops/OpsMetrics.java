package io.kafkaolr.app.ops;

import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 * The per-model gauges are read from the stores at each scrape: O(models).
 */
final class OpsMetrics implements AutoCloseable {
    private static final String GROUP = "stream-olr-metrics";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics streamsMetrics;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final LocalModels models;
    private final MultiGauge version;
    private final MultiGauge examples;
    private final MultiGauge logLoss;
    private final MultiGauge accuracy;

    OpsMetrics(final KafkaStreams streams, final LocalModels models) {
        this.models = models;
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
                final String metric = "dead-letters-" + reason.name().toLowerCase(Locale.ROOT).replace('_', '-')
                        + "-total";
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
        version = MultiGauge.builder("olr.model.version")
                .description("updates applied: by training, and in the copy scoring serves").register(registry);
        examples = MultiGauge.builder("olr.model.examples").description("examples learned").register(registry);
        logLoss = MultiGauge.builder("olr.model.progressive.log.loss")
                .description("mean progressive log loss (each example predicted before it is learned)")
                .register(registry);
        accuracy = MultiGauge.builder("olr.model.progressive.accuracy")
                .description("progressive accuracy").register(registry);
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

    /** The metrics now, in Prometheus' text format. */
    String scrape() {
        refreshModels();
        return registry.scrape();
    }

    private void refreshModels() {
        final List<MultiGauge.Row<?>> versions = new ArrayList<>();
        final List<MultiGauge.Row<?>> exampleRows = new ArrayList<>();
        final List<MultiGauge.Row<?>> lossRows = new ArrayList<>();
        final List<MultiGauge.Row<?>> accuracyRows = new ArrayList<>();
        for (final String id : models.ids()) {
            final Optional<LocalModels.Source> source = models.source(id);
            final Optional<ModelState> model = source.flatMap(s -> models.headerIfReadable(id, s));
            if (model.isEmpty()) {
                continue;
            }
            final Tags tags = Tags.of("model", id);
            final ModelState m = model.get();
            if (source.get() == LocalModels.Source.TRAINING) {
                versions.add(MultiGauge.Row.of(tags.and("side", "training"), m.version()));
            }
            exampleRows.add(MultiGauge.Row.of(tags, m.metrics().examples()));
            lossRows.add(MultiGauge.Row.of(tags, m.metrics().meanLogLoss()));
            accuracyRows.add(MultiGauge.Row.of(tags, m.metrics().accuracy()));
        }
        // what scoring serves: every model in the global store, wherever it is trained
        for (final String id : models.servedIds()) {
            models.servedVersion(id).ifPresent(v -> versions.add(MultiGauge.Row.of(
                    Tags.of("model", id, "side", "scoring"), v)));
        }
        version.register(versions, true);
        examples.register(exampleRows, true);
        logLoss.register(lossRows, true);
        accuracy.register(accuracyRows, true);
    }

    @Override
    public void close() {
        streamsMetrics.close();
        gc.close();
        registry.close();
    }
}
