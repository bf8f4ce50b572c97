package io.sourceflow.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of sourceflow-cdi, top to bottom: {@code cdi} (the extension, the composition root) over
 * {@code aws.inbound} and {@code aws.outbound} (side by side) over {@code aws} (the documented face and the shared
 * parts), {@code aws.kms} and {@code aws.provisioning}, over {@code core} (registry, dispatch, bus, publisher, commit
 * gate), over {@code config}, {@code wire}, {@code telemetry}, {@code masking}, {@code spi} and the API. README,
 * "Layout", draws them.
 */
@AnalyzeClasses(packages = "io.sourceflow", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.sourceflow.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule coreIsTransportNeutralAndKnowsNoContainerSpi = noClasses()
            .that().resideInAPackage("io.sourceflow.core..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sourceflow.aws..", "io.sourceflow.cdi..",
                    "io.sourceflow.health..", "software.amazon..", "jakarta.enterprise.inject.spi..");

    @ArchTest
    static final ArchRule inboundDoesNotUseOutbound = noClasses()
            .that().resideInAPackage("io.sourceflow.aws.inbound..")
            .should().dependOnClassesThat().resideInAPackage("io.sourceflow.aws.outbound..");

    @ArchTest
    static final ArchRule outboundDoesNotUseInbound = noClasses()
            .that().resideInAPackage("io.sourceflow.aws.outbound..")
            .should().dependOnClassesThat().resideInAPackage("io.sourceflow.aws.inbound..");

    @ArchTest
    static final ArchRule theAwsFaceNamesNeitherPath = noClasses()
            .that().resideInAPackage("io.sourceflow.aws")
            .should().dependOnClassesThat().resideInAnyPackage("io.sourceflow.aws.inbound..", "io.sourceflow.aws.outbound..");

    @ArchTest
    static final ArchRule onlyTheExtensionNamesTheExtensionPackage = noClasses()
            .that().resideOutsideOfPackage("io.sourceflow.cdi..")
            .should().dependOnClassesThat().resideInAPackage("io.sourceflow.cdi..");

    @ArchTest
    static final ArchRule foundationsImportNothingAbove = noClasses()
            .that().resideInAnyPackage("io.sourceflow.config..", "io.sourceflow.wire..", "io.sourceflow.telemetry..",
                    "io.sourceflow.masking..", "io.sourceflow.spi..", "io.sourceflow.idempotency..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sourceflow.core..", "io.sourceflow.aws..",
                    "io.sourceflow.cdi..", "io.sourceflow.health..");

    @ArchTest
    static final ArchRule theApiImportsNoInternals = noClasses()
            .that().resideInAnyPackage("io.sourceflow", "io.sourceflow.spi")
            .should().dependOnClassesThat().resideInAnyPackage("io.sourceflow.core..", "io.sourceflow.aws..",
                    "io.sourceflow.cdi..", "io.sourceflow.health..", "io.sourceflow.config..", "io.sourceflow.wire..",
                    "io.sourceflow.telemetry..", "io.sourceflow.masking..", "io.sourceflow.idempotency..");
}
