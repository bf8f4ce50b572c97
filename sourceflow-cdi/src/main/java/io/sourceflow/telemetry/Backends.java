package io.sourceflow.telemetry;

import jakarta.enterprise.inject.spi.BeanManager;

/**
 * Chooses the telemetry implementation. The OpenTelemetry API is {@code provided}: in a server without
 * mpTelemetry (or in plain Java SE without the API jar) its classes are absent, so this class checks for
 * the API before {@code OtelBackend} (the only class that references it) is ever loaded.
 */
final class Backends {

    static final String OTEL_API = "io.opentelemetry.api.OpenTelemetry";
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {
    }

    /**
     * @param beanManager to look up an {@code OpenTelemetry} bean; may be {@code null}
     * @return the OpenTelemetry backend when the API is present, else the no-op backend
     */
    static Backend create(BeanManager beanManager) {
        if (!apiPresent()) {
            LOG.log(System.Logger.Level.DEBUG, "No OpenTelemetry API on the class path: SourceFlow telemetry is off");
            return NoopBackend.INSTANCE;
        }
        try {
            return OtelBackend.create(beanManager);
        } catch (LinkageError | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "SourceFlow telemetry is off: the OpenTelemetry API could not be used ("
                    + e + ")");
            return NoopBackend.INSTANCE;
        }
    }

    static boolean apiPresent() {
        try {
            Class.forName(OTEL_API, false, Backends.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
