package io.kafkaolr.ops;

import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's HTTP endpoint (Jetty): model inspection from interactive queries, health and
 * readiness, Prometheus metrics, and the status page.
 *
 * <ul>
 *   <li>{@code GET /models}, {@code /models/{id}}, {@code /models/{id}/weights?top=N[&by=scaled]},
 *       {@code /models/{id}/export} (streamed; at most {@code olr.http.max-concurrent-exports} at
 *       once, 429 beyond), {@code /models/{id}/history}: any instance answers for any
 *       model. A model is answered by the instance whose training task holds it (its partition
 *       of the training store, found with {@link KafkaStreams#queryMetadataForKey}); another
 *       instance forwards the request there. The list gathers every instance's models. Where
 *       the application only scores, its global store answers.</li>
 *   <li>{@code GET /health} (200 unless the processor failed or stopped), {@code GET /ready}
 *       (200 once RUNNING: every store restored).</li>
 *   <li>{@code GET /metrics}: Prometheus ({@link OpsMetrics}).</li>
 *   <li>{@code GET /}: the status page.</li>
 *   <li>{@code PUT /models/{id}} (body: an exported model) and {@code DELETE /models/{id}}:
 *       only with {@code Authorization: Bearer <olr.http.admin-token>}; without a token
 *       configured the endpoint is read-only. They send the same control commands as
 *       {@code olr model import} and {@code delete}.</li>
 * </ul>
 * Bound to loopback unless configured otherwise ({@code olr.http.host}).
 *
 * <p>This class binds, runs the threads, checks the admin token, reads each request
 * ({@link Call}) and writes its answer ({@link Reply}), and routes ({@link #route}); each job
 * behind a route is one handler: {@link ModelsHandler} (the list, one model),
 * {@link WeightsHandler}, {@link ExportHandler}, {@link HistoryHandler}, {@link AdminHandler}
 * (import, delete), {@link HealthHandler}, {@link StaticFiles} (the status page), with
 * {@link OtherInstances} for the models another instance holds and {@link LocalModels} for the
 * stores of this one.
 *
 * <p>Threads: Jetty reads requests without holding a thread (a client that sends half a header
 * costs a socket, closed after {@link #IDLE_TIMEOUT_MS} of silence, and no thread) and answers
 * {@code /health} and {@code /ready} on its own few threads at once, without blocking. Every
 * other request runs on a bounded pool of workers ({@link #WORKERS} plus one per export allowed,
 * with a bounded queue; 503 beyond it): a slow reader of a large answer can hold a worker, never
 * the threads that answer {@code /health}.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    /** Workers for the requests that read stores or wait on other instances, besides one per export allowed. */
    static final int WORKERS = 8;
    /** Requests that wait for a worker, at most; 503 beyond. */
    private static final int WORKER_QUEUE = 256;
    /** A connection that sends nothing for this long is closed (half a header included). */
    static final long IDLE_TIMEOUT_MS = 30_000;

    private final Server server;
    private final ServerConnector connector;
    private final HostInfo self;
    private final String adminToken;
    private final int maxRequestBytes;
    private final ThreadPoolExecutor workers;
    private final int maxConcurrentExports;
    private volatile boolean closing;
    private final StaticFiles staticFiles = new StaticFiles();
    private final HistoryHandler history;

    // set by start: what the routes answer with
    private KafkaStreams streams;
    private LocalModels models;
    private OpsMetrics metrics;
    private HealthHandler health;
    private ModelsHandler modelsHandler;
    private WeightsHandler weights;
    private ExportHandler exports;
    private AdminHandler admin;
    private OtherInstances otherInstances;

    private OpsServer(final Server server, final ServerConnector connector, final HostInfo self,
                      final String adminToken, final int maxRequestBytes, final int maxConcurrentExports) {
        this.server = server;
        this.connector = connector;
        this.self = self;
        this.adminToken = adminToken;
        this.maxRequestBytes = maxRequestBytes;
        this.maxConcurrentExports = maxConcurrentExports;
        this.history = new HistoryHandler(applicationServer());
        final AtomicInteger count = new AtomicInteger();
        final int threads = WORKERS + maxConcurrentExports;
        this.workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WORKER_QUEUE), runnable -> {
                    final Thread thread = new Thread(runnable, "olr-http-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Binds {@code host:port} (port 0: any free port). The address other instances use to reach
     * this one is {@code advertisedHost} (blank: the bound host, or this machine's host name when
     * bound to every interface) with the bound port: it is the
     * {@code application.server} of this instance's Kafka Streams client, so it must be known
     * before that client is created.
     *
     * @param maxRequestBytes the largest request body accepted (an import); larger ones get 413
     */
    public static OpsServer bind(final String host, final int port, final String advertisedHost,
                                 final String adminToken, final int maxRequestBytes) throws IOException {
        return bind(host, port, advertisedHost, adminToken, maxRequestBytes, OlrConfig.DEFAULT_MAX_CONCURRENT_EXPORTS);
    }

    /**
     * As {@link #bind(String, int, String, String, int)}, with at most {@code maxConcurrentExports}
     * exports written at once (429 beyond).
     */
    public static OpsServer bind(final String host, final int port, final String advertisedHost,
                                 final String adminToken, final int maxRequestBytes, final int maxConcurrentExports)
            throws IOException {
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("the largest request must be at least 1 byte, got " + maxRequestBytes);
        }
        if (maxConcurrentExports < 1) {
            throw new IllegalArgumentException("olr.http.max-concurrent-exports must be at least 1, got "
                    + maxConcurrentExports);
        }
        // Jetty's own threads: an acceptor, a selector, and a few that parse requests and answer
        // /health and /ready; they never block on a client or a store
        final QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("olr-http-io");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        final Server server = new Server(threads);
        server.setStopTimeout(0); // close does not wait for answers being written (exports)
        server.setErrorHandler(new JsonErrors());
        final HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // model ids are path segments whatever their characters (%2F, %00...): OpsServer decodes and checks them
        http.setUriCompliance(UriCompliance.UNSAFE);
        final ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        connector.open(); // bound now: the port is part of this instance's application.server
        final String advertised;
        if (advertisedHost != null && !advertisedHost.isBlank()) {
            advertised = advertisedHost;
        } else if (new InetSocketAddress(host, 0).getAddress().isAnyLocalAddress()) {
            // bound to every interface: other instances reach this one by its host name
            advertised = java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } else {
            advertised = host;
        }
        return new OpsServer(server, connector, new HostInfo(advertised, connector.getLocalPort()), adminToken,
                maxRequestBytes, maxConcurrentExports);
    }

    /**
     * The answers Jetty itself gives (a request it refuses before routing: not HTTP, headers too
     * large, a NUL in the path) in the endpoint's JSON, {@code {"error": ...}}.
     */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        protected boolean generateAcceptableResponse(final Request request, final Response response,
                                                     final Callback callback, final String contentType,
                                                     final List<java.nio.charset.Charset> charsets, final int code,
                                                     final String message, final Throwable cause) throws IOException {
            final byte[] body = ModelJson.MAPPER.writeValueAsBytes(ModelJson.MAPPER.createObjectNode().put("error",
                    "HTTP " + code + ": " + (message == null ? HttpStatus.getMessage(code) : message)
                            + (code == 400 ? " (the request, its headers or its path are refused)" : "")));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Reply.JSON);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }

    /** The {@code host:port} other instances reach this one at: the {@code application.server} setting. */
    public String applicationServer() {
        return self.host() + ":" + self.port();
    }

    /** The endpoint's base address. */
    public URI uri() {
        return URI.create("http://" + applicationServer() + "/");
    }

    /**
     * Starts answering for {@code streams}, whose topology keeps {@code directory} current.
     *
     * @param connection where the cluster is and how to authenticate (bootstrap servers,
     *     security): the admin endpoints produce control commands with it
     */
    public void start(final KafkaStreams kafkaStreams, final ModelDirectory directory, final TopologyConfig topology,
                      final Map<String, Object> connection) {
        start(kafkaStreams, directory, topology, connection, null);
    }

    /**
     * As {@link #start(KafkaStreams, ModelDirectory, TopologyConfig, Map)}, with the per-model
     * gauges' values from {@code modelValues} rather than the stores (null: from the stores).
     */
    void start(final KafkaStreams kafkaStreams, final ModelDirectory directory, final TopologyConfig topology,
               final Map<String, Object> connection,
               final java.util.function.Supplier<List<OpsMetrics.ModelValue>> modelValues) {
        this.streams = kafkaStreams;
        this.admin = new AdminHandler(topology, Map.copyOf(connection), maxRequestBytes);
        this.models = new LocalModels(kafkaStreams, directory, topology);
        this.metrics = modelValues == null ? new OpsMetrics(kafkaStreams, models)
                : new OpsMetrics(kafkaStreams, modelValues);
        if (feedback != null) {
            metrics.bind(feedback);
        }
        this.health = new HealthHandler(kafkaStreams);
        this.otherInstances = new OtherInstances(kafkaStreams, directory, topology, self);
        this.modelsHandler = new ModelsHandler(kafkaStreams, directory, topology, models, otherInstances,
                applicationServer());
        this.weights = new WeightsHandler(models, applicationServer());
        this.exports = new ExportHandler(models, maxConcurrentExports, () -> closing);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(final Request request, final Response response, final Callback callback) {
                dispatch(request, response, callback);
                return true;
            }
        });
        try {
            server.start();
        } catch (final Exception e) {
            throw new IllegalStateException("the HTTP endpoint did not start: " + e, e);
        }
        history.startSampling(models, Map.copyOf(connection), topology.progressiveMetrics(),
                topology.metrics().interval());
        LOG.info("HTTP endpoint at {}", uri());
    }

    /**
     * On one of Jetty's threads: answers /health and /ready at once (a non-blocking write), and
     * hands every other request to a worker.
     */
    private volatile FeedbackStats feedback;

    private void dispatch(final Request request, final Response response, final Callback callback) {
        final Call call = Call.of(request);
        final boolean head = call.method().equals("HEAD");
        final List<String> path = segments(call.rawPath());
        if (path.size() == 1 && (call.method().equals("GET") || head)
                && (path.get(0).equals("health") || path.get(0).equals("ready"))) {
            final Reply reply = path.get(0).equals("health") ? health.health() : health.ready();
            headers(response, reply);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
            response.write(true, ByteBuffer.wrap(head ? new byte[0] : reply.body()), callback);
            return;
        }
        try {
            workers.execute(() -> serve(call, response, callback));
        } catch (final RejectedExecutionException e) {
            final Reply busy = Reply.error(503, "the HTTP endpoint is busy (" + WORKER_QUEUE
                    + " requests waiting, or it is closing); try again").with("Retry-After", "1");
            headers(response, busy);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, busy.body().length);
            response.write(true, ByteBuffer.wrap(head ? new byte[0] : busy.body()), callback);
        }
    }

    /** On a worker: answers one request, blocking on stores, other instances and the client. */
    private void serve(final Call call, final Response response, final Callback callback) {
        final boolean head = call.method().equals("HEAD");
        Reply reply;
        try {
            reply = route(call);
        } catch (final IOException | RuntimeException e) {
            reply = failure(call, e);
        }
        final Reply.BodyWriter streamed = reply.streamed(); // a record's component: closed once the answer is sent
        try (streamed) {
            send(response, head, reply);
            callback.succeeded();
        } catch (final IOException | RuntimeException e) {
            if (!response.isCommitted()) {
                // nothing sent yet (a streamed answer that failed at its start): an error the client can read
                try {
                    response.reset();
                    send(response, head, failure(call, e));
                    callback.succeeded();
                    return;
                } catch (final IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            // the answer is under way: abort the connection, so that the client sees a broken answer, not a short one
            if (e instanceof IOException || closing) {
                LOG.debug("{} {} aborted", call.method(), call.uri(), e); // the client left, or the endpoint closes
            } else {
                LOG.warn("{} {} aborted midway", call.method(), call.uri(), e);
            }
            callback.failed(e);
        }
    }

    /** The answer to a request whose handling threw. */
    private Reply failure(final Call call, final Exception e) {
        if (e instanceof IllegalArgumentException) {
            return Reply.error(400, e.getMessage());
        }
        if (e instanceof InvalidStateStoreException) {
            // not started yet, rebalancing or restoring: the stores cannot be queried now
            return Reply.error(503, "the processor cannot answer now (" + streams.state() + "): " + e.getMessage());
        }
        if (streams != null && streams.state() != KafkaStreams.State.RUNNING) {
            // stores and metadata come and go while tasks move or the processor stops
            LOG.debug("{} {} failed while {}", call.method(), call.uri(), streams.state(), e);
            return Reply.error(503, "the processor cannot answer now (" + streams.state() + "): " + e);
        }
        if (e instanceof IOException) {
            LOG.debug("{} {} failed", call.method(), call.uri(), e); // the client went away, mostly
            return Reply.error(500, e.toString());
        }
        LOG.warn("{} {} failed", call.method(), call.uri(), e);
        return Reply.error(500, e.toString());
    }

    private static void headers(final Response response, final Reply reply) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        reply.headers().forEach(response.getHeaders()::put);
    }

    /** Writes {@code reply}, blocking until the client took it (or failed). */
    private static void send(final Response response, final boolean head, final Reply reply) throws IOException {
        headers(response, reply);
        if (reply.streamed() == null) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        }
        final OutputStream out = Content.Sink.asOutputStream(response);
        if (!head) {
            if (reply.streamed() == null) {
                out.write(reply.body());
            } else {
                reply.streamed().writeTo(out);
            }
        }
        out.close(); // the last write: completes the answer
    }

    /** The route table: which handler answers {@code call}. On a worker. */
    /**
     * Shows what the feedback join of this instance resolves ({@code /models/{id}/calibration}
     * and the {@code olr_feedback_*} metrics); call before {@code start}.
     */
    public void feedbackStats(final FeedbackStats stats) {
        this.feedback = stats;
    }

    private Reply route(final Call call) throws IOException {
        final String method = call.method();
        final List<String> path = segments(call.rawPath());
        final Map<String, String> query = query(call.rawQuery());
        final boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.isEmpty() && read) {
            return staticFiles.resource("status/index.html");
        }
        switch (path.get(0)) {
            case "health":
                return read ? health.health() : Reply.notAllowed();
            case "ready":
                return read ? health.ready() : Reply.notAllowed();
            case "metrics":
                return read ? new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8)) : Reply.notAllowed();
            case "status":
                return read && path.size() == 2 ? staticFiles.resource("status/" + path.get(1))
                        : Reply.notFound("no such page");
            case "webjars":
                return read ? staticFiles.webJar(path) : Reply.notAllowed();
            case "models":
                break;
            default:
                return Reply.notFound("no such endpoint: " + call.rawPath());
        }
        if (path.size() == 1) {
            return read ? modelsHandler.list(query.containsKey("local")) : Reply.notAllowed();
        }
        final String modelId = path.get(1);
        if (path.size() == 2 && (method.equals("PUT") || method.equals("DELETE"))) {
            final Optional<Reply> refused = refuseUnlessAdmin(call);
            return refused.isPresent() ? refused.get() : admin.change(call, method, modelId);
        }
        if (!read || path.size() > 3) {
            return path.size() > 3 ? Reply.notFound("no such endpoint") : Reply.notAllowed();
        }
        final String view = path.size() == 2 ? "" : path.get(2);
        if (view.equals("calibration")) {
            final com.fasterxml.jackson.databind.node.ObjectNode table = feedback == null ? null
                    : feedback.calibration(modelId);
            return table != null ? Reply.json(200, table) : Reply.notFound(feedback == null
                    ? "feedback is off (olr.feedback.enabled)" : "no outcome of model " + modelId + " on this instance yet");
        }
        if (!List.of("", "weights", "export", "history").contains(view)) {
            return Reply.notFound("no such endpoint: " + call.rawPath());
        }
        final Optional<LocalModels.Source> source = models.source(modelId);
        if (source.isEmpty()) {
            return otherInstances.forward(modelId, call, query.containsKey("local"));
        }
        switch (view) {
            case "":
                return modelsHandler.one(modelId, source.get());
            case "weights":
                return weights.topWeights(modelId, source.get(), query);
            case "export":
                return exports.export(modelId, source.get());
            default:
                return history.history(modelId);
        }
    }

    /**
     * The refusal of a request that changes models: 403 where no admin token is configured
     * (read-only), 401 without {@code Authorization: Bearer <olr.http.admin-token>}; empty when
     * the request carries the token.
     */
    private Optional<Reply> refuseUnlessAdmin(final Call call) {
        if (adminToken == null || adminToken.isEmpty()) {
            return Optional.of(Reply.error(403, "read-only: set olr.http.admin-token to change models over HTTP"));
        }
        final String given = call.header("Authorization");
        final byte[] expected = ("Bearer " + adminToken).getBytes(StandardCharsets.UTF_8);
        // compared in constant time: how long a refusal takes says nothing of the token
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(Reply.error(401,
                    "an admin token is required: Authorization: Bearer <olr.http.admin-token>"));
        }
        return Optional.empty();
    }

    /** The decoded, non-empty segments of a raw path ({@code %2F} in a model id stays inside its segment). */
    static List<String> segments(final String rawPath) {
        final List<String> out = new ArrayList<>();
        for (final String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> query(final String rawQuery) {
        final Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery != null) {
            Arrays.stream(rawQuery.split("&")).filter(p -> !p.isEmpty()).forEach(p -> {
                final int eq = p.indexOf('=');
                final String name = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
                out.put(name, eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
            });
        }
        return out;
    }

    /** {@code modelId} as one path segment. */
    public static String pathSegment(final String modelId) {
        return URLEncoder.encode(modelId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Tells the exports being written to stop at their next row; new ones get 503. {@link #close} cuts the rest. */
    public void stopExports() {
        closing = true;
    }

    /** Stops at once: answers being written (exports) are cut, not waited for. */
    @Override
    public void close() {
        stopExports();
        history.close();
        try {
            server.stop();
        } catch (final Exception e) {
            LOG.debug("stopping the HTTP endpoint", e);
        }
        connector.close(); // bound but never started
        workers.shutdownNow();
        if (metrics != null) {
            metrics.close();
        }
    }
}
