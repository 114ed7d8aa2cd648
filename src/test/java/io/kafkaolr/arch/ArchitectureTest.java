package io.kafkaolr.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The packages of docs/DESIGN.md ("Parts and packages") and what each may use: every package
 * only the ones below it, with {@code offline} free of Kafka and {@code core} free of everything
 * but the JDK and one hash function. One rule per package; a package missing here fails
 * {@link #everyClassIsInAPackageWithARule()}.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kafkaolr");

    /** The classes generated from schemas/: records every layer may use. */
    private static final String AVRO = "avro";

    @Test
    void theNumericCoreUsesOnlyTheJdkAndCommonsCodecsMurmur3() {
        classes().that().resideInAPackage("io.kafkaolr.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "io.kafkaolr.core..", "java..", "org.apache.commons.codec.digest..")
                .check(CLASSES);
    }

    @Test
    void serdesUseOnlyTheCoreAndNoKafka() {
        ourPackages("serde", "core", AVRO).check(CLASSES);
        noKafka("serde").check(CLASSES);
    }

    @Test
    void theTopologyUsesOnlyTheCoreAndTheSerdes() {
        ourPackages("topology", "core", "serde", AVRO).check(CLASSES);
    }

    @Test
    void theConfigurationUsesOnlyWhatItConfigures() {
        ourPackages("config", "core", "serde", "topology", AVRO).check(CLASSES);
    }

    @Test
    void offlineCodeUsesOnlyTheCoreAndTheSerdesAndNoKafka() {
        ourPackages("offline", "core", "serde", AVRO).check(CLASSES);
        noKafka("offline").check(CLASSES);
    }

    @Test
    void theEmbeddedBrokerUsesNothingOfOurs() {
        ourPackages("broker").check(CLASSES);
    }

    @Test
    void theKafkaPlumbingUsesNeitherTheHttpEndpointNorTheRuntimeNorTheCommandLine() {
        ourPackages("kafka", "core", "serde", "topology", "config", "offline", "broker", AVRO).check(CLASSES);
    }

    @Test
    void theHttpEndpointUsesNeitherTheRuntimeNorTheCommandLine() {
        ourPackages("ops", "core", "serde", "topology", "config", "offline", "broker", "kafka", AVRO)
                .check(CLASSES);
    }

    @Test
    void theRuntimeDoesNotUseTheCommandLine() {
        ourPackages("runtime", "core", "serde", "topology", "config", "offline", "broker", "kafka", "ops", AVRO)
                .check(CLASSES);
    }

    @Test
    void nothingUsesTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("io.kafkaolr.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.kafkaolr.cli..")
                .check(CLASSES);
    }

    @Test
    void thePackagesFormNoCycle() {
        slices().matching("io.kafkaolr.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void everyClassIsInAPackageWithARule() {
        classes().should().resideInAnyPackage(Arrays.stream(new String[] {"core", "serde", "topology", "config",
                "offline", "broker", "kafka", "ops", "runtime", "cli", AVRO})
                        .map(ArchitectureTest::pattern).toArray(String[]::new))
                .check(CLASSES);
    }

    /** The classes of {@code pkg} use, of ours, only {@code pkg} itself and {@code allowed}. */
    private static ArchRule ourPackages(final String pkg, final String... allowed) {
        final String[] patterns = new String[allowed.length + 1];
        patterns[0] = pattern(pkg);
        for (int i = 0; i < allowed.length; i++) {
            patterns[i + 1] = pattern(allowed[i]);
        }
        return classes().that().resideInAPackage(pattern(pkg))
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.kafkaolr..")
                        .or(resideInAnyPackage(patterns)));
    }

    private static ArchRule noKafka(final String pkg) {
        return noClasses().that().resideInAPackage(pattern(pkg))
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "kafka..");
    }

    private static String pattern(final String pkg) {
        return "io.kafkaolr." + pkg + "..";
    }
}
