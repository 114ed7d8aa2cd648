package io.kafkaolr.ops;

import java.io.InputStream;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * One request to the HTTP endpoint, as the routes and handlers read it: its method, its path and
 * query as sent (raw: {@link OpsServer#segments} decodes the path), its headers and its body.
 */
record Call(String method, String rawPath, String rawQuery, Request request) {
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
