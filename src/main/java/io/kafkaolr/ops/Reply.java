package io.kafkaolr.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkaolr.serde.ModelJson;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer of the HTTP endpoint, as a handler returns it and {@link OpsServer} writes it: its
 * status, content type and extra headers, and its body either in memory or ({@code streamed})
 * written as it is produced, in chunks.
 */
record Reply(int status, String contentType, byte[] body, Reply.BodyWriter streamed, Map<String, String> headers) {
    /** The content type of every JSON answer. */
    static final String JSON = "application/json";

    /** Writes an answer's body as it is produced; closed once the answer is over, written or not (HEAD). */
    interface BodyWriter extends AutoCloseable {
        void writeTo(OutputStream out) throws IOException;

        /** Releases what the body holds. */
        @Override
        default void close() {
        }
    }

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

    static Reply notFound(final String message) {
        return error(404, message);
    }

    static Reply notAllowed() {
        return error(405, "method not allowed");
    }

    /** This answer with one more header. */
    Reply with(final String header, final String value) {
        final Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(header, value);
        return new Reply(status, contentType, body, streamed, more);
    }
}
