package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.topology.ModelDirectory;
import io.kafkaolr.topology.OlrTopology;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one instance asks the others, so that any instance answers for any model: it forwards a
 * request for a model it does not hold to the instance whose training task holds the model's
 * partition (found with {@link KafkaStreams#queryMetadataForKey}), and gathers the lists of
 * models of every other instance for {@code GET /models}. An instance asked on another's behalf
 * is told so ({@code ?local}) and answers from its own stores only: no request goes round.
 */
final class OtherInstances {
    /** The endpoint's logger, whichever class writes: its log lines read as they always did. */
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final KafkaStreams streams;
    private final ModelDirectory directory;
    private final TopologyConfig config;
    private final HostInfo self;

    /** @param self the address other instances reach this one at, to tell it from them */
    OtherInstances(final KafkaStreams streams, final ModelDirectory directory, final TopologyConfig config,
                   final HostInfo self) {
        this.streams = streams;
        this.directory = directory;
        this.config = config;
        this.self = self;
    }

    /**
     * Answers for a model this instance does not list: forwards to the instance that holds its
     * partition; 404 only where that partition's task runs here with its models listed. While
     * the partition moves (a holder that left, a task still being restored) the answer is 503:
     * the model may well exist.
     *
     * @param alreadyForwarded the request came from another instance ({@code ?local}): not forwarded again
     */
    Reply forward(final String modelId, final Call request, final boolean alreadyForwarded) {
        if (!config.role().trains()) {
            // the global store is restored before the processor first runs
            return streams.state() == KafkaStreams.State.RUNNING ? Reply.notFound("no model '" + modelId + "'")
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
                return Reply.notFound("no model '" + modelId + "'");
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
                    response.headers().firstValue("Content-Type").orElse(Reply.JSON), new Reply.BodyWriter() {
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

    /**
     * What the other instances listed ({@code GET /models?local}): their models in the order
     * they answered, the training partitions whose models each listed whole, and, for those that
     * did not answer 200, who and why.
     */
    record Lists(List<JsonNode> models, SortedSet<Integer> partitions, List<String> unreachable) {
    }

    /**
     * Asks every other instance for its own models, one after the other.
     *
     * @throws InterruptedException if interrupted while waiting for one: what was gathered is dropped
     */
    Lists gatherLists() throws InterruptedException {
        final List<JsonNode> models = new ArrayList<>();
        final SortedSet<Integer> partitions = new TreeSet<>();
        final List<String> unreachable = new ArrayList<>();
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
                answer.path("models").forEach(models::add);
                answer.path("partitions").forEach(p -> partitions.add(p.asInt()));
            } catch (final IOException e) {
                unreachable.add(host.host() + ":" + host.port() + ": " + e);
            }
        }
        return new Lists(models, partitions, unreachable);
    }

    /** GET {@code pathAndQuery} (raw) of another instance, which answers from its own stores ({@code ?local}). */
    private HttpResponse<byte[]> ask(final HostInfo instance, final String pathAndQuery)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + instance.host() + ":" + instance.port()
                + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
