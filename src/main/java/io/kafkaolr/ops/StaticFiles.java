package io.kafkaolr.ops;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.webjars.WebJarVersionLocator;

/**
 * The status page ({@code GET /}, {@code /status/*}) and its chart library
 * ({@code /webjars/<name>/<file>}), served from the jar's resources: no internet needed.
 */
final class StaticFiles {
    private final WebJarVersionLocator webJars = new WebJarVersionLocator();

    /** The resource {@code name} of the class path; 404 if absent, or if the name climbs out ({@code ..}). */
    Reply resource(final String name) throws IOException {
        if (name.contains("..")) {
            return Reply.notFound("no such page");
        }
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return Reply.notFound("no such page: " + name);
            }
            return new Reply(200, contentType(name), in.readAllBytes());
        }
    }

    /**
     * A web jar's file: {@code path} is the request's segments, {@code webjars}, the web jar's
     * name, then the file's path within it, without the version (the locator finds it).
     */
    Reply webJar(final List<String> path) throws IOException {
        if (path.size() < 3) {
            return Reply.notFound("no such web jar file");
        }
        final String file = String.join("/", path.subList(2, path.size()));
        final String full = webJars.fullPath(path.get(1), file);
        return full == null ? Reply.notFound("no web jar file " + path.get(1) + "/" + file) : resource(full);
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
}
