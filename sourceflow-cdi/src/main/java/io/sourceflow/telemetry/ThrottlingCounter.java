package io.sourceflow.telemetry;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts AWS calls that failed because of throttling ({@code sourceflow.aws.throttled}), for every SQS,
 * SNS and KMS client of SourceFlow. Counted once per failed call, after the SDK's own retries (the
 * send calls, whose SDK retries are off under Fault Tolerance, count every throttled attempt).
 */
public final class ThrottlingCounter implements ExecutionInterceptor {

    private final SourceFlowTelemetry telemetry;

    public ThrottlingCounter(SourceFlowTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable failure = context.exception();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException service && (service.isThrottlingException() || service.statusCode() == 429)) {
                String serviceName = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                telemetry.throttled(serviceName == null ? "?" : serviceName, operation == null ? "?" : operation);
                return;
            }
        }
    }
}
