package io.sourceflow.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, item 21: with the old default backoff (1 s doubling) a message failing because a dependency was down
 * reached the dead-letter queue after about 15-30 s, shorter than a typical outage. The defaults now keep it on its
 * queue for at least about two minutes, even with the jitter halving every delay.
 */
class RetryDefaultsTest {

    @Test
    void theDefaultRetriesSpanATypicalOutageBeforeTheDeadLetterQueueTakesTheMessage() {
        AwsSettings aws = SourceFlowConfigReader.read(new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(), "test", 500)).build()).aws();
        Duration shortest = Duration.ZERO;
        for (int receive = 1; receive < aws.maxReceiveCount(); receive++) {
            Duration delay = aws.retryInitialDelay().multipliedBy(1L << (receive - 1));
            delay = delay.compareTo(aws.retryMaxDelay()) > 0 ? aws.retryMaxDelay() : delay;
            shortest = shortest.plus(delay.dividedBy(2)); // the jitter takes between half and all of each delay
        }
        assertThat(shortest).isGreaterThanOrEqualTo(Duration.ofSeconds(100));
        assertThat(aws.retryInitialDelay()).as("a single passing failure is still retried soon")
                .isLessThanOrEqualTo(Duration.ofSeconds(30));
    }
}
