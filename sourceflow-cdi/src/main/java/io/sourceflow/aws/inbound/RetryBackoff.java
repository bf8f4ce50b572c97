package io.sourceflow.aws.inbound;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The visibility delay after a failed attempt: {@code initial * 2^(receiveCount-1)}, capped at the maximum,
 * with jitter (a random value between half and all of it) so that failures of many messages spread out.
 */
record RetryBackoff(Duration initial, Duration max) {

    /** Whole seconds for ChangeMessageVisibility (0 to 12 h). */
    int delaySeconds(int receiveCount) {
        long initialMillis = initial.toMillis();
        int exponent = Math.min(Math.max(receiveCount - 1, 0), 30);
        long delay = initialMillis >= Long.MAX_VALUE >> exponent ? Long.MAX_VALUE : initialMillis << exponent;
        delay = Math.min(delay, max.toMillis());
        long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        return (int) Math.min(43_200, (jittered + 999) / 1000);
    }
}
