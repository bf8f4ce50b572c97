package io.sourceflow.aws;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishBatchRequest;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The AWS calls of the sending side, guarded by MicroProfile Fault Tolerance: retry with jitter (only
 * {@link RetryableAwsException}: throttling, 5xx, no connection), a circuit breaker per method and a
 * timeout. Operators tune them with the standard MP FT keys, e.g.
 * {@code io.sourceflow.aws.AwsSendCalls/sendMessageBatch/Retry/maxRetries=5} (docs/operations.md,
 * "Fault tolerance"). When Fault Tolerance is active the calls go through SDK clients with the SDK's own
 * retries off, so attempts are not multiplied; without it (no mpFaultTolerance in the server, or Java SE)
 * the annotations are inert and the SDK's standard retries apply as before.
 */
@ApplicationScoped
public class AwsSendCalls {

    /** SendMessageBatch to one queue; one circuit breaker for all queues. */
    @Retry(maxRetries = 3, delay = 400, jitter = 200, maxDuration = 30_000,
            retryOn = {RetryableAwsException.class, TimeoutException.class})
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10_000, successThreshold = 1,
            failOn = {RetryableAwsException.class, TimeoutException.class})
    @Timeout(10_000)
    public SendMessageBatchResponse sendMessageBatch(SqsClient sqs, SendMessageBatchRequest request) {
        return call(() -> sqs.sendMessageBatch(request), "SendMessageBatch");
    }

    /** PublishBatch to one topic; one circuit breaker for all topics. */
    @Retry(maxRetries = 3, delay = 400, jitter = 200, maxDuration = 30_000,
            retryOn = {RetryableAwsException.class, TimeoutException.class})
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10_000, successThreshold = 1,
            failOn = {RetryableAwsException.class, TimeoutException.class})
    @Timeout(10_000)
    public PublishBatchResponse publishBatch(SnsClient sns, PublishBatchRequest request) {
        return call(() -> sns.publishBatch(request), "PublishBatch");
    }

    /**
     * Provisioning and name resolution at startup (many calls, once): retried as a whole when an AWS call
     * in it failed retryably, bounded in time. No circuit breaker: it runs once per deployment.
     */
    @Retry(maxRetries = 2, delay = 1_000, jitter = 500, maxDuration = 300_000,
            retryOn = {RetryableAwsException.class, TimeoutException.class})
    @Timeout(120_000)
    public <T> T provision(Supplier<T> provisioning) {
        try {
            return provisioning.get();
        } catch (RuntimeException e) {
            if (e.getCause() instanceof SdkException sdk && retryable(sdk)) {
                throw new RetryableAwsException("Provisioning failed retryably: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Whether MicroProfile Fault Tolerance retries calls of this bean: only an active Retry interceptor
     * calls this method twice. Used to turn the SDK's own retries off only when FT retries instead.
     */
    @Retry(maxRetries = 1, delay = 0, jitter = 0, retryOn = Probe.class)
    public boolean retriesActive(int[] attempts) {
        if (++attempts[0] == 1) {
            throw new Probe();
        }
        return true;
    }

    /** The failure of the first {@link #retriesActive} attempt. */
    static final class Probe extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Probe() {
            super("fault tolerance probe", null, false, false);
        }
    }

    /** Asks the bean (through its proxy) whether FT retries are active; {@code false} when unintercepted. */
    static boolean faultToleranceRetries(AwsSendCalls calls) {
        try {
            return calls.retriesActive(new int[1]);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static <T> T call(Supplier<T> call, String operation) {
        try {
            return call.get();
        } catch (SdkException e) {
            if (retryable(e)) {
                throw new RetryableAwsException(operation + " failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Throttling, a 5xx answer, or no answer at all; never validation errors or access denied. */
    static boolean retryable(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500 || service.statusCode() == 429;
        }
        if (e instanceof AbortedException) {
            return false; // interrupted, e.g. by the FT timeout: that timeout decides
        }
        if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException) {
            return true;
        }
        if (e instanceof SdkClientException) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof IOException || cause instanceof UncheckedIOException) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The AWS failure inside a {@link RetryableAwsException} that retries did not overcome, else the failure. */
    public static RuntimeException unwrap(RuntimeException e) {
        if (e instanceof RetryableAwsException && e.getCause() instanceof RuntimeException cause) {
            return cause;
        }
        return e;
    }
}
