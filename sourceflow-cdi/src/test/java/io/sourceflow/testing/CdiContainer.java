package io.sourceflow.testing;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.net.URL;
import java.net.URLClassLoader;
import jakarta.enterprise.inject.spi.Extension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A Weld SE container with its own MicroProfile Config, like one deployment. Several can run at once
 * (two services in one test): each gets its own context class loader, so each sees its own configuration.
 */
public final class CdiContainer implements AutoCloseable {

    private final WeldContainer container;
    private final ClassLoader deploymentLoader;
    private final SmallRyeConfig config;

    private CdiContainer(WeldContainer container, ClassLoader deploymentLoader, SmallRyeConfig config) {
        this.container = container;
        this.deploymentLoader = deploymentLoader;
        this.config = config;
    }

    /**
     * Starts a container with the given configuration and bean classes; the SourceFlow extension loads as a
     * service. No other extension runs (discovery is off): MicroProfile Fault Tolerance annotations are inert,
     * as in a server without mpFaultTolerance.
     */
    public static CdiContainer start(Map<String, String> properties, Class<?>... beanClasses) {
        return start(false, properties, List.of(), beanClasses);
    }

    /**
     * Starts a container with further portable extensions (e.g. another module's, or a JTA implementation's
     * {@code @Transactional} support), which Weld SE does not load by itself with discovery off.
     */
    public static CdiContainer start(Map<String, String> properties, List<? extends Extension> extensions, Class<?>... beanClasses) {
        return start(false, properties, extensions, beanClasses);
    }

    /**
     * Starts a container like {@link #start} with SmallRye Fault Tolerance's extension and interceptors. Add
     * {@link TestOpenTelemetry} to the bean classes: SmallRye FT finds the OpenTelemetry API on the class path
     * and records its metrics with the {@code Meter} bean.
     */
    public static CdiContainer startWithFaultTolerance(Map<String, String> properties, Class<?>... beanClasses) {
        return start(true, properties, List.of(), beanClasses);
    }

    private static CdiContainer start(boolean faultTolerance, Map<String, String> properties,
                                      List<? extends Extension> extensions, Class<?>... beanClasses) {
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        ClassLoader deploymentLoader = new URLClassLoader("deployment-" + UUID.randomUUID(), new URL[0], parent);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500))
                .build();
        ConfigProviderResolver.instance().registerConfig(config, deploymentLoader);
        Thread.currentThread().setContextClassLoader(deploymentLoader);
        try {
            Weld weld = new Weld("test-" + UUID.randomUUID()).disableDiscovery().addBeanClasses(beanClasses)
                    .addExtension(new io.sourceflow.cdi.SourceFlowExtension());
            if (faultTolerance) {
                // SmallRye FT reads its switches through @ConfigProperty: MP Config's CDI extension as well
                weld.addExtension(new io.smallrye.config.inject.ConfigExtension());
                weld.addExtension(new io.smallrye.faulttolerance.FaultToleranceExtension());
            }
            extensions.forEach(weld::addExtension);
            return new CdiContainer(weld.initialize(), deploymentLoader, config);
        } catch (RuntimeException e) {
            ConfigProviderResolver.instance().releaseConfig(config);
            throw e;
        } finally {
            Thread.currentThread().setContextClassLoader(parent);
        }
    }

    /** Looks up a bean. */
    public <T> T select(Class<T> type) {
        return container.select(type).get();
    }

    /** Runs code with this deployment's class loader as the context class loader. */
    public void run(Runnable action) {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(deploymentLoader);
        try {
            action.run();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Override
    public void close() {
        try {
            if (container.isRunning()) {
                container.shutdown();
            }
        } finally {
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }
}
