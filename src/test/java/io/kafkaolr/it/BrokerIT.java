package io.kafkaolr.it;

import io.kafkaolr.broker.EmbeddedBroker;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of the integration tests: one real embedded KRaft broker per test class, in a temporary directory. */
abstract class BrokerIT {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("broker"), 0);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }
}
