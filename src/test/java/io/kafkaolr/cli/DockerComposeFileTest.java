package io.kafkaolr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, for real use: the processor's HTTP endpoint published and bound to every
 * interface of its container, the broker advertised to outside clients under {@code KAFKA_HOST},
 * the data of both in named volumes. Checked by Debian's {@code docker-compose config} (which
 * needs no Docker engine) when it is installed; skipped, saying so, when it is not.
 */
class DockerComposeFileTest {
    private static final Path FILE = Path.of("docker-compose.yml");

    @Test
    void dockerComposeReadsTheFileWithTheHostsNameAdvertisedThePagePublishedAndTheDataInVolumes() throws Exception {
        final String compose = findDockerCompose();
        Assumptions.assumeTrue(compose != null, "docker-compose is not installed: docker-compose.yml not checked");
        final ProcessBuilder builder = new ProcessBuilder(compose, "-f", FILE.toString(), "config")
                .redirectErrorStream(true);
        builder.environment().put("KAFKA_HOST", "olr-box.example");
        final Process process = builder.start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "docker-compose config did not finish");
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("PLAINTEXT_HOST://olr-box.example:9092"), out);
        // docker-compose 1.x and 2.x print the same settings in slightly different forms
        assertTrue(out.contains("OLR_OLR_HTTP_HOST: 0.0.0.0"), out);
        assertTrue(find(out, "OLR_OLR_HTTP_PORT: ['\"]?8080"), out);
        assertTrue(find(out, "published: ['\"]?8080['\"]?\\s+target: 8080") || out.contains("8080:8080"), out);
        assertTrue(mounted(out, "kafka-data", "/var/lib/kafka/data"), out);
        assertTrue(mounted(out, "olr-data", "/data"), out);
    }

    private static boolean find(final String text, final String regex) {
        return java.util.regex.Pattern.compile(regex).matcher(text).find();
    }

    /** Whether the named volume {@code volume} is mounted at {@code path}, in either form compose prints. */
    private static boolean mounted(final String text, final String volume, final String path) {
        return text.contains(volume + ":" + path + ":rw") || text.contains(volume + ":" + path + "\n")
                || find(text, "source: " + volume + "\\s+target: " + path + "\\s");
    }

    @Test
    void withoutKafkaHostClientsOnThisHostAreToldLocalhost() throws IOException {
        final String text = Files.readString(FILE);
        assertTrue(text.contains("PLAINTEXT_HOST://${KAFKA_HOST:-localhost}:9092"), "the advertised listener");
        assertTrue(text.contains("KAFKA_LOG_DIRS: /var/lib/kafka/data"), "the broker's log in its volume");
    }

    private static String findDockerCompose() {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (final String name : List.of("docker-compose")) {
                final Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }
}
