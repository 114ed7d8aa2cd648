package io.kafkaolr.ops;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.avro.ModelCommand;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.kafka.ControlTopic;
import io.kafkaolr.serde.ControlCommands;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.RecordCodec;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.ModelIds;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
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
import org.webjars.WebJarVersionLocator;

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
 * <p>Threads: Jetty reads requests without holding a thread (a client that sends half a header
 * costs a socket, closed after {@link #IDLE_TIMEOUT_MS} of silence, and no thread) and answers
 * {@code /health} and {@code /ready} on its own few threads at once, without blocking. Every
 * other request runs on a bounded pool of workers ({@link #WORKERS} plus one per export allowed,
 * with a bounded queue; 503 beyond it): a slow reader of a large answer can hold a worker, never
 * the threads that answer {@code /health}.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String JSON = "application/json";
    private static final int DEFAULT_TOP = 20;
    private static final int MAX_TOP = 10_000;

    /** Workers for the requests that read stores or wait on other instances, besides one per export allowed. */
    static final int WORKERS = 8;
    /** Requests that wait for a worker, at most; 503 beyond. */
    private static final int WORKER_QUEUE = 256;
    /** Seconds a client refused an export (429) is told to wait. */
    private static final String EXPORT_RETRY_AFTER = "5";
    /** A connection that sends nothing for this long is closed (half a header included). */
    static final long IDLE_TIMEOUT_MS = 30_000;

    private final Server server;
    private final ServerConnector connector;
    private final HostInfo self;
    private final String adminToken;
    private final int maxRequestBytes;
    private final ThreadPoolExecutor workers;
    private final int maxConcurrentExports;
    private final java.util.concurrent.Semaphore exportSlots;
    private volatile boolean closing;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(daemon("olr-history"));
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final WebJarVersionLocator webJars = new WebJarVersionLocator();
    private final ModelHistory history = new ModelHistory();

    private KafkaStreams streams;
    private TopologyConfig config;
    private ModelDirectory directory;
    private LocalModels models;
    private OpsMetrics metrics;
    private Map<String, Object> connection;

    private OpsServer(final Server server, final ServerConnector connector, final HostInfo self,
                      final String adminToken, final int maxRequestBytes, final int maxConcurrentExports) {
        this.server = server;
        this.connector = connector;
        this.self = self;
        this.adminToken = adminToken;
        this.maxRequestBytes = maxRequestBytes;
        this.maxConcurrentExports = maxConcurrentExports;
        this.exportSlots = new java.util.concurrent.Semaphore(maxConcurrentExports);
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
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
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
        this.config = topology;
        this.connection = Map.copyOf(connection);
        this.directory = directory;
        this.models = new LocalModels(kafkaStreams, directory, topology);
        this.metrics = modelValues == null ? new OpsMetrics(kafkaStreams, models)
                : new OpsMetrics(kafkaStreams, modelValues);
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
        sampler.scheduleAtFixedRate(() -> {
            try {
                history.sample(models, System.currentTimeMillis());
            } catch (final RuntimeException e) {
                LOG.debug("history sample skipped", e); // a store migrating: the next sample will do
            }
        }, 0, 1, TimeUnit.SECONDS);
        LOG.info("HTTP endpoint at {}", uri());
    }

    /** Writes an answer's body as it is produced; closed once the answer is over, written or not (HEAD). */
    private interface BodyWriter extends AutoCloseable {
        void writeTo(OutputStream out) throws IOException;

        /** Releases what the body holds. */
        @Override
        default void close() {
        }
    }

    /** An answer: its body in memory, or ({@code streamed}) written as it is produced, in chunks. */
    private record Reply(int status, String contentType, byte[] body, BodyWriter streamed,
                         Map<String, String> headers) {
        Reply(final int status, final String contentType, final byte[] body) {
            this(status, contentType, body, null, Map.of());
        }

        static Reply streamed(final int status, final String contentType, final BodyWriter writer) {
            return new Reply(status, contentType, null, writer, Map.of());
        }

        static Reply json(final int status, final JsonNode node) {
            try {
                return new Reply(status, JSON, ModelJson.MAPPER.writeValueAsBytes(node));
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply error(final int status, final String message) {
            return json(status, ModelJson.MAPPER.createObjectNode().put("error", message));
        }

        /** This answer with one more header. */
        Reply with(final String header, final String value) {
            final Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(header, value);
            return new Reply(status, contentType, body, streamed, more);
        }
    }

    /** One request, as the routes read it. */
    private record Call(String method, String rawPath, String rawQuery, Request request) {
        static Call of(final Request request) {
            return new Call(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(),
                    request);
        }

        String header(final String name) {
            return request.getHeaders().get(name);
        }

        InputStream body() {
            return Content.Source.asInputStream(request);
        }

        /** The path and query, raw, for messages. */
        String uri() {
            return rawPath + (rawQuery == null ? "" : "?" + rawQuery);
        }
    }

    /**
     * On one of Jetty's threads: answers /health and /ready at once (a non-blocking write), and
     * hands every other request to a worker.
     */
    private void dispatch(final Request request, final Response response, final Callback callback) {
        final Call call = Call.of(request);
        final boolean head = call.method().equals("HEAD");
        final List<String> path = segments(call.rawPath());
        if (path.size() == 1 && (call.method().equals("GET") || head)
                && (path.get(0).equals("health") || path.get(0).equals("ready"))) {
            final Reply reply = path.get(0).equals("health") ? health() : ready();
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
        final BodyWriter streamed = reply.streamed(); // a record's component: closed once the answer is sent
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

    private Reply route(final Call call) throws IOException {
        final String method = call.method();
        final List<String> path = segments(call.rawPath());
        final Map<String, String> query = query(call.rawQuery());
        final boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.isEmpty() && read) {
            return resource("status/index.html");
        }
        switch (path.get(0)) {
            case "health":
                return read ? health() : notAllowed();
            case "ready":
                return read ? ready() : notAllowed();
            case "metrics":
                return read ? new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8)) : notAllowed();
            case "status":
                return read && path.size() == 2 ? resource("status/" + path.get(1)) : notFound("no such page");
            case "webjars":
                return read ? webJar(path) : notAllowed();
            case "models":
                break;
            default:
                return notFound("no such endpoint: " + call.rawPath());
        }
        if (path.size() == 1) {
            return read ? listModels(query.containsKey("local")) : notAllowed();
        }
        final String modelId = path.get(1);
        if (path.size() == 2 && (method.equals("PUT") || method.equals("DELETE"))) {
            return admin(call, method, modelId);
        }
        if (!read || path.size() > 3) {
            return path.size() > 3 ? notFound("no such endpoint") : notAllowed();
        }
        final String view = path.size() == 2 ? "" : path.get(2);
        if (!List.of("", "weights", "export", "history").contains(view)) {
            return notFound("no such endpoint: " + call.rawPath());
        }
        final Optional<LocalModels.Source> source = models.source(modelId);
        if (source.isPresent()) {
            return modelView(modelId, source.get(), view, query);
        }
        return forward(modelId, call, query.containsKey("local"));
    }

    private Reply modelView(final String modelId, final LocalModels.Source source, final String view,
                            final Map<String, String> query) {
        switch (view) {
            case "": {
                final Optional<ModelState> model = models.header(modelId, source);
                if (model.isEmpty()) {
                    return notFound("no model '" + modelId + "'");
                }
                final ObjectNode node = models.summary(modelId, model.get(), applicationServer());
                node.put("answered_from", source.name().toLowerCase(Locale.ROOT));
                node.set("settings", ModelJson.settings(model.get().settings()));
                return Reply.json(200, node);
            }
            case "weights": {
                final int top = query.containsKey("top") ? parseTop(query.get("top")) : DEFAULT_TOP;
                final String by = query.getOrDefault("by", "weight");
                if (!by.equals("weight") && !by.equals("scaled")) {
                    throw new IllegalArgumentException("by must be 'weight' (per unit) or 'scaled' (per scale), got '"
                            + by + "'");
                }
                final Optional<ObjectNode> weights = models.topWeights(modelId, source, top, by.equals("scaled"));
                if (weights.isEmpty()) {
                    return notFound("no model '" + modelId + "'");
                }
                final ObjectNode node = weights.get();
                node.put("instance", applicationServer());
                return Reply.json(200, node);
            }
            case "export":
                return export(modelId, source);
            default: {
                final ObjectNode node = ModelJson.MAPPER.createObjectNode();
                node.put("model_id", modelId);
                node.put("instance", applicationServer());
                final ArrayNode points = node.putArray("points");
                for (final ModelHistory.Point p : history.points(modelId)) {
                    final ObjectNode point = points.addObject().put("time", p.time()).put("examples", p.examples())
                            .put("version", p.version());
                    ModelJson.putFinite(point, "progressive_log_loss", p.logLoss());
                    ModelJson.putFinite(point, "progressive_accuracy", p.accuracy());
                }
                return Reply.json(200, node);
            }
        }
    }

    /**
     * The export, written as the store is read (constant memory whatever the model's size), if
     * fewer than {@code olr.http.max-concurrent-exports} run now: 429 otherwise.
     */
    private Reply export(final String modelId, final LocalModels.Source source) {
        if (closing) {
            return Reply.error(503, "the processor is stopping");
        }
        if (!exportSlots.tryAcquire()) {
            return Reply.error(429, "this instance already writes " + maxConcurrentExports + " exports "
                    + "(olr.http.max-concurrent-exports); try again later").with("Retry-After", EXPORT_RETRY_AFTER);
        }
        final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        final Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                exportSlots.release();
            }
        };
        try {
            final Optional<byte[]> header = models.storedHeader(modelId, source);
            if (header.isEmpty()) {
                release.run();
                return notFound("no model '" + modelId + "'");
            }
            final ModelJson.StoredEntries entries = models.entries(modelId, source);
            return Reply.streamed(200, JSON, new BodyWriter() {
                @Override
                public void writeTo(final OutputStream out) throws IOException {
                    final java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
                    final JsonGenerator g = ModelJson.MAPPER.createGenerator(buffered, JsonEncoding.UTF8);
                    // a failed export must not look complete: no closing brackets added, the connection is cut
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    ModelJson.writeExport(g, header.get(), entries, () -> closing);
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

    private static int parseTop(final String value) {
        final int top;
        try {
            top = Integer.parseInt(value);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("top must be an integer in [1, " + MAX_TOP + "], got '" + value + "'");
        }
        if (top < 1 || top > MAX_TOP) {
            throw new IllegalArgumentException("top must be in [1, " + MAX_TOP + "], got " + top);
        }
        return top;
    }

    /**
     * Answers for a model this instance does not list: forwards to the instance that holds its
     * partition; 404 only where that partition's task runs here with its models listed. While
     * the partition moves (a holder that left, a task still being restored) the answer is 503:
     * the model may well exist.
     */
    private Reply forward(final String modelId, final Call request, final boolean alreadyForwarded) {
        if (!config.role().trains()) {
            // the global store is restored before the processor first runs
            return streams.state() == KafkaStreams.State.RUNNING ? notFound("no model '" + modelId + "'")
                    : Reply.error(503, "the processor is " + streams.state() + "; try again");
        }
        final KeyQueryMetadata metadata = streams.queryMetadataForKey(OlrTopology.WEIGHTS_STORE, modelId,
                Serdes.String().serializer());
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return Reply.error(503, "the instance holding model '" + modelId + "' is not known now (rebalancing)");
        }
        final HostInfo holder = metadata.activeHost();
        if (holder.equals(self) || alreadyForwarded) {
            if (holder.equals(self) && directory.listedTrainingPartitions().contains(metadata.partition())) {
                return notFound("no model '" + modelId + "'");
            }
            return Reply.error(503, "model '" + modelId + "' is in partition " + metadata.partition()
                    + ", which is moving to " + holder.host() + ":" + holder.port() + " or being restored there; try again");
        }
        final String query = request.rawQuery() == null ? "?local" : "?" + request.rawQuery() + "&local";
        try {
            final HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create("http://"
                    + holder.host() + ":" + holder.port() + request.rawPath() + query))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            // passed on as it comes (an export may be large), with the holder's Retry-After
            Reply reply = Reply.streamed(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(JSON), new BodyWriter() {
                        @Override
                        public void writeTo(final OutputStream out) throws IOException {
                            try (InputStream in = response.body()) {
                                in.transferTo(out);
                            }
                        }

                        @Override
                        public void close() {
                            try {
                                response.body().close();
                            } catch (final IOException e) {
                                LOG.debug("closing a forwarded answer", e);
                            }
                        }
                    });
            final Optional<String> retryAfter = response.headers().firstValue("Retry-After");
            if (retryAfter.isPresent()) {
                reply = reply.with("Retry-After", retryAfter.get());
            }
            return reply;
        } catch (final IOException e) {
            return Reply.error(502, "instance " + holder.host() + ":" + holder.port() + " holds model '" + modelId
                    + "' but did not answer: " + e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error(503, "interrupted");
        }
    }

    /** GET {@code pathAndQuery} (raw) of another instance, which answers from its own stores ({@code ?local}). */
    private HttpResponse<byte[]> ask(final HostInfo instance, final String pathAndQuery)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + instance.host() + ":" + instance.port()
                + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private Reply listModels(final boolean localOnly) throws IOException {
        final Map<String, JsonNode> byId = new TreeMap<>();
        // which partitions' models the list holds (a partition moving or being restored is listed by
        // no one): those whose task ran here before and after every model was read, and only if
        // every read succeeded
        final SortedSet<Integer> partitions = new TreeSet<>(directory.listedTrainingPartitions());
        boolean allRead = true;
        for (final String id : models.ids()) {
            final Optional<LocalModels.Source> source = models.source(id);
            if (source.isEmpty()) {
                continue;
            }
            try {
                models.header(id, source.get())
                        .ifPresent(model -> byId.put(id, models.summary(id, model, applicationServer())));
            } catch (final InvalidStateStoreException e) {
                allRead = false; // the store is closing or moving: this list lacks its models
            }
        }
        partitions.retainAll(directory.listedTrainingPartitions());
        if (!allRead) {
            partitions.clear();
        }
        final ObjectNode root = ModelJson.MAPPER.createObjectNode();
        final ArrayNode unreachable = ModelJson.MAPPER.createArrayNode();
        if (!localOnly) {
            for (final StreamsMetadata other : streams.metadataForAllStreamsClients()) {
                final HostInfo host = other.hostInfo();
                if (host.equals(self) || host.equals(HostInfo.unavailable())) {
                    continue;
                }
                try {
                    final HttpResponse<byte[]> response = ask(host, "/models?local");
                    if (response.statusCode() != 200) {
                        unreachable.add(host.host() + ":" + host.port() + " answered " + response.statusCode());
                        continue;
                    }
                    final JsonNode answer = ModelJson.MAPPER.readTree(response.body());
                    answer.path("models").forEach(m -> byId.putIfAbsent(m.path("model_id").asText(), m));
                    answer.path("partitions").forEach(p -> partitions.add(p.asInt()));
                } catch (final IOException e) {
                    unreachable.add(host.host() + ":" + host.port() + ": " + e);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Reply.error(503, "interrupted");
                }
            }
        }
        final ArrayNode list = root.putArray("models");
        byId.values().forEach(list::add);
        if (localOnly) {
            final ArrayNode own = root.putArray("partitions");
            partitions.forEach(own::add);
        } else if (config.role().trains() && config.examplesPartitions() > 0) {
            final ArrayNode missing = ModelJson.MAPPER.createArrayNode();
            for (int p = 0; p < config.examplesPartitions(); p++) {
                if (!partitions.contains(p)) {
                    missing.add(p);
                }
            }
            root.put("complete", missing.isEmpty());
            if (!missing.isEmpty()) {
                root.set("missing_partitions", missing); // their models are moving or being restored
            }
        } else if (!config.role().trains()) {
            root.put("complete", streams.state() == KafkaStreams.State.RUNNING);
        }
        if (!unreachable.isEmpty()) {
            root.set("unreachable", unreachable); // the list lacks these instances' models
        }
        return Reply.json(200, root);
    }

    private Reply health() {
        final KafkaStreams.State state = streams.state();
        final boolean up = state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED;
        return Reply.json(up ? 200 : 503, ModelJson.MAPPER.createObjectNode().put("status", up ? "UP" : "DOWN")
                .put("state", state.name()));
    }

    private Reply ready() {
        final KafkaStreams.State state = streams.state();
        final boolean ready = state == KafkaStreams.State.RUNNING;
        return Reply.json(ready ? 200 : 503, ModelJson.MAPPER.createObjectNode().put("ready", ready)
                .put("state", state.name()));
    }

    private Reply admin(final Call call, final String method, final String modelId) throws IOException {
        if (adminToken == null || adminToken.isEmpty()) {
            return Reply.error(403, "read-only: set olr.http.admin-token to change models over HTTP");
        }
        final String given = call.header("Authorization");
        final byte[] expected = ("Bearer " + adminToken).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return Reply.error(401, "an admin token is required: Authorization: Bearer <olr.http.admin-token>");
        }
        try {
            ModelIds.validate(modelId);
        } catch (final RejectedInputException e) {
            return Reply.error(400, e.getMessage());
        }
        if (!config.role().trains()) {
            return Reply.error(409, "this application only scores; change models through its training application");
        }
        final List<ModelCommand> commands;
        final ObjectNode answer = ModelJson.MAPPER.createObjectNode().put("model_id", modelId);
        if (method.equals("DELETE")) {
            commands = List.of(ControlCommands.delete(modelId));
            answer.put("action", "delete");
        } else {
            final String declared = call.header("Content-Length");
            if (declared != null && (declared.length() > 18 || Long.parseLong(declared) > maxRequestBytes)) {
                return tooLarge();
            }
            final byte[] body;
            try (InputStream in = call.body()) {
                body = in.readNBytes(maxRequestBytes + 1);
            }
            if (body.length > maxRequestBytes) {
                return tooLarge();
            }
            final ModelSnapshot snapshot;
            try {
                snapshot = ModelSnapshot.fromJson(ModelJson.MAPPER.readTree(body))
                        .checkImport(config.limits(), config.modelDefaults().hashBits());
            } catch (final JsonProcessingException e) {
                return Reply.error(400, "the body is not JSON (an exported model): " + e.getOriginalMessage());
            } catch (final RejectedInputException e) {
                return Reply.error(e.reason() == RejectReason.LIMIT_EXCEEDED ? 413 : 400,
                        e.reason() + ": " + e.getMessage() + "; nothing was applied");
            }
            commands = ControlCommands.importParts(modelId, snapshot, ControlCommands.DEFAULT_PART_BYTES);
            answer.put("action", "import").put("version", snapshot.model().version()).put("parts", commands.size());
        }
        final RecordCodec<ModelCommand> codec = config.commands().codec();
        try {
            ControlTopic.send(connection, config.controlTopic(), modelId,
                    commands.stream().map(codec::encode).toList());
        } catch (final IllegalArgumentException e) {
            return Reply.error(413, "Kafka refused a part of the model: " + e.getMessage());
        } catch (final RuntimeException e) {
            LOG.warn("control commands for model '{}' not sent", modelId, e);
            return Reply.error(503, "Kafka did not take the commands (nothing was applied): " + e.getMessage());
        }
        return Reply.json(202, answer.put("topic", config.controlTopic()));
    }

    private Reply tooLarge() {
        return Reply.error(413, "a model of more than " + maxRequestBytes + " bytes (olr.http.max-request-bytes): "
                + "import it with 'olr model import', which sends it in parts");
    }

    private Reply resource(final String name) throws IOException {
        if (name.contains("..")) {
            return notFound("no such page");
        }
        try (InputStream in = OpsServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return notFound("no such page: " + name);
            }
            return new Reply(200, contentType(name), in.readAllBytes());
        }
    }

    private Reply webJar(final List<String> path) throws IOException {
        if (path.size() < 3) {
            return notFound("no such web jar file");
        }
        final String file = String.join("/", path.subList(2, path.size()));
        final String full = webJars.fullPath(path.get(1), file);
        return full == null ? notFound("no web jar file " + path.get(1) + "/" + file) : resource(full);
    }

    private static String contentType(final String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return name.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
    }

    private static Reply notFound(final String message) {
        return Reply.error(404, message);
    }

    private static Reply notAllowed() {
        return Reply.error(405, "method not allowed");
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

    private static java.util.concurrent.ThreadFactory daemon(final String name) {
        return runnable -> {
            final Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Tells the exports being written to stop at their next row; new ones get 503. {@link #close} cuts the rest. */
    public void stopExports() {
        closing = true;
    }

    /** Stops at once: answers being written (exports) are cut, not waited for. */
    @Override
    public void close() {
        stopExports();
        sampler.shutdownNow();
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
