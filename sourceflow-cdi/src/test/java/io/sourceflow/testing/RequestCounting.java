package io.sourceflow.testing;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Add this bean class to a test deployment to count the AWS requests SourceFlow makes: the library adds
 * every {@code ExecutionInterceptor} bean to its clients. Read the counts with
 * {@code container.select(AwsRequestCounter.class)}.
 */
public class RequestCounting {

    @Produces
    @Singleton
    AwsRequestCounter counter() {
        return new AwsRequestCounter();
    }
}
