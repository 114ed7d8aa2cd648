package io.kafkaolr.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering of docs/DESIGN.md: the numeric core knows nothing of Kafka, Avro or the layers above it. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kafkaolr");

    @Test
    void theNumericCoreImportsNeitherKafkaNorAvroNorTheOuterLayers() {
        noClasses().that().resideInAPackage("io.kafkaolr.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.kafka..", "org.apache.avro..", "io.kafkaolr.avro..", "io.kafkaolr.serde..",
                        "io.kafkaolr.topology..", "io.kafkaolr.app..")
                .check(CLASSES);
    }

    @Test
    void serdesDoNotDependOnTheTopologyOrTheApp() {
        noClasses().that().resideInAPackage("io.kafkaolr.serde..")
                .should().dependOnClassesThat().resideInAnyPackage("io.kafkaolr.topology..", "io.kafkaolr.app..")
                .check(CLASSES);
    }

    @Test
    void theTopologyDoesNotDependOnTheApp() {
        noClasses().that().resideInAPackage("io.kafkaolr.topology..")
                .should().dependOnClassesThat().resideInAPackage("io.kafkaolr.app..")
                .check(CLASSES);
    }
}
