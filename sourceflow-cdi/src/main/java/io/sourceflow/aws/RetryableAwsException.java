package io.sourceflow.aws;

import io.sourceflow.SourceFlowException;

/**
 * An AWS call failed in a way that may pass on a later attempt: throttling, a 5xx answer, or no answer
 * (connection refused or broken, I/O timeout). {@link AwsSendCalls} throws it so that MicroProfile Fault
 * Tolerance retries exactly these failures ({@code retryOn}) and counts them for its circuit breaker
 * ({@code failOn}); the cause is the AWS SDK's exception. Everything else (validation errors, access
 * denied, a missing queue) is thrown as it is and fails at once.
 */
public final class RetryableAwsException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    RetryableAwsException(String message, Throwable cause) {
        super(message, cause);
    }
}
