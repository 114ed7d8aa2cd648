package io.kafkaolr.ops;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kafkaolr.serde.ModelJson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /models/{id}/export} for a model this instance holds: the document
 * {@code olr model export} prints, written as the store is read (constant memory whatever the
 * model's size), at most {@code olr.http.max-concurrent-exports} at once (429 beyond: each holds
 * a worker for as long as its client reads).
 */
final class ExportHandler {
    /** Seconds a client refused an export (429) is told to wait. */
    private static final String EXPORT_RETRY_AFTER = "5";

    private final LocalModels models;
    private final int maxConcurrentExports;
    private final Semaphore exportSlots;
    private final BooleanSupplier stopping;

    /** @param stopping true once the endpoint stops: exports under way end at their next row, new ones get 503 */
    ExportHandler(final LocalModels models, final int maxConcurrentExports, final BooleanSupplier stopping) {
        this.models = models;
        this.maxConcurrentExports = maxConcurrentExports;
        this.exportSlots = new Semaphore(maxConcurrentExports);
        this.stopping = stopping;
    }

    /**
     * The export, written as the store is read, if fewer than
     * {@code olr.http.max-concurrent-exports} run now: 429 otherwise. Its slot is released once
     * the answer is over, written or not.
     */
    Reply export(final String modelId, final LocalModels.Source source) {
        if (stopping.getAsBoolean()) {
            return Reply.error(503, "the processor is stopping");
        }
        if (!exportSlots.tryAcquire()) {
            return Reply.error(429, "this instance already writes " + maxConcurrentExports + " exports "
                    + "(olr.http.max-concurrent-exports); try again later").with("Retry-After", EXPORT_RETRY_AFTER);
        }
        // released once, whichever comes first: the answer closed, or a failure before it exists
        final AtomicBoolean released = new AtomicBoolean();
        final Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                exportSlots.release();
            }
        };
        try {
            final Optional<byte[]> header = models.storedHeader(modelId, source);
            if (header.isEmpty()) {
                release.run();
                return Reply.notFound("no model '" + modelId + "'");
            }
            final ModelJson.StoredEntries entries = models.entries(modelId, source);
            return Reply.streamed(200, Reply.JSON, new Reply.BodyWriter() {
                @Override
                public void writeTo(final OutputStream out) throws IOException {
                    final BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
                    final JsonGenerator g = ModelJson.MAPPER.createGenerator(buffered, JsonEncoding.UTF8);
                    // a failed export must not look complete: no closing brackets added, the connection is cut
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    ModelJson.writeExport(g, header.get(), entries, stopping);
                    g.close();
                    buffered.flush();
                }

                @Override
                public void close() {
                    release.run();
                }
            });
        } catch (final RuntimeException e) {
            release.run();
            throw e;
        }
    }
}
