package io.sourceflow.testing;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests one embedded {@link ElasticMqServer} per test JVM, resolved as a
 * parameter. Same availability rule as {@link MotoExtension}.
 */
public final class ElasticMqExtension implements BeforeEachCallback, ParameterResolver {

    @Override
    public void beforeEach(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ElasticMqServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    private static ElasticMqServer server(ExtensionContext context) {
        return SharedServerSupport.shared(context, ElasticMqServer.class, ElasticMqServer::start, "ElasticMQ");
    }
}
