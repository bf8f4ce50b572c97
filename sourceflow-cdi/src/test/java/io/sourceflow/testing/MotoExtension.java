package io.sourceflow.testing;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests one {@link MotoServer} shared by the whole test JVM (moto takes
 * seconds to start). Use {@code @ExtendWith(MotoExtension.class)} and declare a {@code MotoServer}
 * parameter on a test, lifecycle method or constructor.
 *
 * <p>Moto is not reset between tests: use unique resource names. If moto cannot be started the
 * test is skipped with the reason, or fails when the environment variable {@code CI} is
 * {@code "true"}.
 */
public final class MotoExtension implements BeforeEachCallback, ParameterResolver {

    // Checked per test (not per class) so that each test shows up as skipped with the reason.
    @Override
    public void beforeEach(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MotoServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    private static MotoServer server(ExtensionContext context) {
        return SharedServerSupport.shared(context, MotoServer.class, MotoServer::start, "moto (moto_server)");
    }
}
