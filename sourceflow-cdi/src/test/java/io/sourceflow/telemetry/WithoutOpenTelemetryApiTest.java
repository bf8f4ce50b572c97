package io.sourceflow.telemetry;

import jakarta.enterprise.inject.spi.BeanManager;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a server without mpTelemetry the OpenTelemetry API classes are absent (the dependency is
 * {@code provided}): telemetry must be a no-op then, not a {@code NoClassDefFoundError}.
 */
class WithoutOpenTelemetryApiTest {

    @Test
    void withoutTheApiOnTheClassPathTelemetryIsANoOp() throws Exception {
        URL library = Backends.class.getProtectionDomain().getCodeSource().getLocation();
        URL cdiApi = BeanManager.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader noOtel = new URLClassLoader(new URL[]{library, cdiApi}, ClassLoader.getPlatformClassLoader())) {
            assertThat(noOtel.getResource("io/opentelemetry/api/OpenTelemetry.class")).isNull();
            Class<?> backends = noOtel.loadClass(Backends.class.getName());
            Method create = backends.getDeclaredMethod("create", noOtel.loadClass(BeanManager.class.getName()));
            create.setAccessible(true);
            Object backend = create.invoke(null, (Object) null);
            assertThat(backend.getClass().getName()).isEqualTo(NoopBackend.class.getName());

            Method send = backend.getClass().getMethod("send", boolean.class, String.class, String.class);
            send.setAccessible(true);
            Object observation = send.invoke(backend, true, "PlaceOrder", "orders");
            Method traceparent = noOtel.loadClass(OutboundObservation.class.getName()).getMethod("traceparent");
            assertThat(traceparent.invoke(observation)).isNull();
        }
    }

    @Test
    void withTheApiButNoImplementationTheGlobalNoOpIsUsedAndNothingBreaks() {
        Backend backend = Backends.create(null);
        assertThat(backend).isInstanceOf(OtelBackend.class);
        OutboundObservation send = backend.send(true, "PlaceOrder", "orders");
        assertThat(send.traceparent()).isNull(); // no SDK: no valid span, nothing to propagate
        send.messageId("id-1", 10);
        send.end(null);
        InboundObservation receive = backend.receive("orders", 1);
        receive.decoded("PlaceOrder", "id-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
        assertThat(receive.inContext(() -> "ran")).isEqualTo("ran");
        receive.end(InboundObservation.Result.HANDLED, null, null);
    }
}
