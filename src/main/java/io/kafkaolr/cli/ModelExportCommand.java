package io.kafkaolr.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.config.OlrConfig;
import io.kafkaolr.kafka.KafkaUnavailableException;
import io.kafkaolr.kafka.ModelPartition;
import io.kafkaolr.ops.OpsServer;
import io.kafkaolr.serde.ModelJson;
import io.kafkaolr.serde.ModelSnapshot;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.topology.TopologyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code olr model export}: a model as JSON, from the model topic or from a running processor. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model as JSON, in the format of 'olr replay --export-model': readable weights and "
                + "the stored state that 'olr model import' restores.",
                "By default read from the model topic (committed records, up to its end when the command starts; "
                        + "only the partition the model id hashes to): no processor needs to run. With --url, asked "
                        + "of a running processor's HTTP server."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the model was written", "1:no such model, or it could not be read or written",
                "2:invalid options", "3:Kafka (with --url: the processor) could not be reached"})
public final class ModelExportCommand implements Callable<Integer> {
    private static final String NAME = "olr model export";

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions broker;

    @Option(names = "--model-id", required = true, paramLabel = "ID", description = "the model to export")
    String modelId;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE (default: standard output)")
    Path output;

    @Option(names = "--url", paramLabel = "http://HOST:PORT",
            description = "ask a running processor (olr run --http-port) instead of reading the model topic")
    URI url;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "give up when Kafka or the processor has not answered for this long (default: "
                    + "${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        final PrintWriter err = spec.commandLine().getErr();
        if (!ModelCommandGroup.validModelId(modelId, NAME, err)) {
            return 2;
        }
        if (timeoutSeconds <= 0) {
            return ModelCommandGroup.fail(err, NAME, "--timeout must be positive", 2);
        }
        if (url != null && (url.getHost() == null
                || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme())))) {
            return ModelCommandGroup.fail(err, NAME, "--url must be http://HOST:PORT, got '" + url + "'", 2);
        }
        final JsonNode json;
        if (url != null) {
            broker.load(); // the configuration is checked as everywhere, though only the URL is used
            json = fromProcessor(err);
        } else {
            json = fromModelTopic(broker.loadWithCluster(), err);
        }
        if (json == null) {
            return 1;
        }
        if (output != null) {
            ModelJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(output.toFile(), json);
            err.println("model '" + modelId + "' (version " + json.path("version").asLong() + ") written to " + output);
            err.flush();
        } else {
            final PrintWriter out = spec.commandLine().getOut();
            out.println(ModelJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.flush();
        }
        return 0;
    }

    /** The model read from the model topic; null (with a message) if there is none. */
    private JsonNode fromModelTopic(final OlrConfig config, final PrintWriter err) {
        final TopologyConfig t = config.topologyConfig();
        final Map<Integer, byte[]> entries = ModelPartition.read(config, modelId, index -> true,
                Duration.ofSeconds(timeoutSeconds));
        if (entries == null) {
            ModelCommandGroup.fail(err, NAME, "no model '" + modelId + "': there is no model topic "
                    + t.modelTopic() + " (no processor with application.id " + t.modelsFrom()
                    + " has run on this cluster)", 1);
            return null;
        }
        if (!entries.containsKey(ModelStateCodec.HEADER_INDEX)) {
            ModelCommandGroup.fail(err, NAME, "no model '" + modelId + "' on " + t.modelTopic()
                    + " (never trained or imported, or deleted)", 1);
            return null;
        }
        try {
            return ModelSnapshot.fromStored(entries).toJson();
        } catch (final IllegalArgumentException e) {
            ModelCommandGroup.fail(err, NAME, "model '" + modelId + "' on " + t.modelTopic() + " cannot be read: "
                    + e.getMessage(), 1);
            return null;
        }
    }

    /** The model as a running processor exports it; null (with a message) if it has none. */
    private JsonNode fromProcessor(final PrintWriter err) throws InterruptedException {
        final String base = url.toString().replaceAll("/+$", "");
        final URI uri = URI.create(base + "/models/"
                + OpsServer.pathSegment(modelId) + "/export");
        final HttpResponse<String> response;
        try {
            final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            response = client.send(HttpRequest.newBuilder(uri).header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(timeoutSeconds)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new KafkaUnavailableException("cannot reach the processor at " + base + ": " + e, e);
        }
        if (response.statusCode() == 404) {
            ModelCommandGroup.fail(err, NAME, "no model '" + modelId + "' (the processor at " + base
                    + " answered 404)", 1);
            return null;
        }
        if (response.statusCode() != 200) {
            ModelCommandGroup.fail(err, NAME, "the processor at " + base + " answered " + response.statusCode()
                    + detail(response.body()), 1);
            return null;
        }
        try {
            return ModelJson.MAPPER.readTree(response.body());
        } catch (final JsonProcessingException e) {
            ModelCommandGroup.fail(err, NAME, "the processor at " + base + " answered with something that is not "
                    + "JSON: " + e.getOriginalMessage(), 1);
            return null;
        }
    }

    private static String detail(final String body) {
        final String text = body == null ? "" : body.strip();
        return text.isEmpty() ? "" : ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
}
