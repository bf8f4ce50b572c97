package io.sourceflow.aws;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS and SNS clients the sending side and startup provisioning call through {@link AwsSendCalls}: when
 * MicroProfile Fault Tolerance retries those calls, clients with the SDK's own retries off (so attempts are not
 * multiplied), else the standard clients. Whether FT retries is asked once. Internal to SourceFlow.
 */
@Singleton
public final class SendingClients {

    private final AwsServiceClients clients;
    private final AwsSendCalls calls;
    private volatile Boolean faultToleranceRetries;

    @Inject
    SendingClients(AwsServiceClients clients, AwsSendCalls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    /** The fault-tolerant calls. */
    public AwsSendCalls calls() {
        return calls;
    }

    /** Whether MP Fault Tolerance retries the calls of {@link AwsSendCalls}. */
    public boolean faultToleranceRetries() {
        Boolean active = faultToleranceRetries;
        if (active == null) {
            active = AwsSendCalls.faultToleranceRetries(calls);
            faultToleranceRetries = active;
        }
        return active;
    }

    /** The SQS client for calls made through {@link AwsSendCalls}. */
    public SqsClient sqs() {
        return faultToleranceRetries() ? clients.sqsWithoutRetries() : clients.sqs();
    }

    /** The SNS client for calls made through {@link AwsSendCalls}. */
    public SnsClient sns() {
        return faultToleranceRetries() ? clients.snsWithoutRetries() : clients.sns();
    }
}
