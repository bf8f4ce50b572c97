package io.sourceflow.bench;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.enterprise.inject.spi.Extension;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One application deployment in Java SE: a Weld SE container with its own MicroProfile Config (registered for
 * a per-deployment context class loader), so a sender and a consumer can run side by side in one JVM. A
 * trimmed copy of sourceflow-cdi's test {@code CdiContainer}.
 */
final class Deployment implements AutoCloseable {

    private final WeldContainer container;
    private final SmallRyeConfig config;

    private Deployment(WeldContainer container, SmallRyeConfig config) {
        this.container = container;
        this.config = config;
    }

    static Deployment start(Map<String, String> properties, Class<?>... beanClasses) {
        return start(properties, List.of(), beanClasses);
    }

    /**
     * With further portable extensions (another module's, a JTA implementation's {@code @Transactional} support),
     * which Weld SE does not load by itself with discovery off.
     */
    static Deployment start(Map<String, String> properties, List<? extends Extension> extensions, Class<?>... beanClasses) {
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = new URLClassLoader("deployment-" + UUID.randomUUID(), new URL[0], parent);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "bench", 500))
                .build();
        ConfigProviderResolver.instance().registerConfig(config, loader);
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Weld weld = new Weld("bench-" + UUID.randomUUID()).disableDiscovery().addBeanClasses(beanClasses)
                    .addExtension(new io.sourceflow.cdi.SourceFlowExtension());
            extensions.forEach(weld::addExtension);
            return new Deployment(weld.initialize(), config);
        } catch (RuntimeException e) {
            ConfigProviderResolver.instance().releaseConfig(config);
            throw e;
        } finally {
            Thread.currentThread().setContextClassLoader(parent);
        }
    }

    <T> T select(Class<T> type) {
        return container.select(type).get();
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
