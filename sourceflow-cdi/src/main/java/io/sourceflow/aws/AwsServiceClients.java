package io.sourceflow.aws;

import io.sourceflow.config.AwsSettings;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import io.sourceflow.telemetry.ThrottlingCounter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The AWS SDK clients of a deployment, built once from {@code sourceflow.aws.*}: region (or the SDK's
 * region chain), the endpoint override, and credentials from the SDK default chain unless the
 * application provides an {@link AwsCredentialsProvider} bean. {@link ExecutionInterceptor} beans are
 * added to every client. One pooled HTTP client is shared and closed with the application.
 */
@Singleton
public final class AwsServiceClients {

    private final AwsSettings settings;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final List<ExecutionInterceptor> interceptors;
    private final SdkHttpClient httpClient;
    private volatile SqsClient sqs;
    private volatile SnsClient sns;
    private volatile StsClient sts;
    private volatile KmsClient kms;
    private volatile SqsClient sqsWithoutRetries;
    private volatile SnsClient snsWithoutRetries;

    @Inject
    AwsServiceClients(SourceFlowConfig config, Instance<AwsCredentialsProvider> credentials,
                      Instance<ExecutionInterceptor> interceptors, SourceFlowTelemetry telemetry) {
        this.settings = config.aws();
        this.region = settings.region().map(Region::of).orElseGet(AwsServiceClients::defaultRegion);
        this.credentials = credentials.isResolvable() ? credentials.get() : DefaultCredentialsProvider.builder().build();
        List<ExecutionInterceptor> found = new ArrayList<>();
        interceptors.forEach(found::add);
        found.add(new ThrottlingCounter(telemetry));
        this.interceptors = List.copyOf(found);
        int connections = Math.max(50, settings.maxConcurrentMessages() * 4);
        this.httpClient = ApacheHttpClient.builder()
                .maxConnections(connections)
                // long polls hold a connection for the wait time: the socket timeout must exceed it
                .socketTimeout(settings.waitTime().plusSeconds(10))
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static Region defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            throw new io.sourceflow.SourceFlowException("No AWS region: set sourceflow.aws.region (or AWS_REGION / aws.region)", e);
        }
    }

    /** The region the clients use. */
    public Region region() {
        return region;
    }

    /** The SQS client. */
    public SqsClient sqs() {
        SqsClient client = sqs;
        if (client == null) {
            synchronized (this) {
                if (sqs == null) {
                    sqs = configure(SqsClient.builder()).build();
                }
                client = sqs;
            }
        }
        return client;
    }

    /**
     * An SQS client with the SDK's own retries off, for the calls that MicroProfile Fault Tolerance
     * retries ({@link AwsSendCalls}), so that attempts are not multiplied.
     */
    public SqsClient sqsWithoutRetries() {
        SqsClient client = sqsWithoutRetries;
        if (client == null) {
            synchronized (this) {
                if (sqsWithoutRetries == null) {
                    sqsWithoutRetries = withoutRetries(configure(SqsClient.builder())).build();
                }
                client = sqsWithoutRetries;
            }
        }
        return client;
    }

    /** An SNS client with the SDK's own retries off (see {@link #sqsWithoutRetries()}). */
    public SnsClient snsWithoutRetries() {
        SnsClient client = snsWithoutRetries;
        if (client == null) {
            synchronized (this) {
                if (snsWithoutRetries == null) {
                    snsWithoutRetries = withoutRetries(configure(SnsClient.builder())).build();
                }
                client = snsWithoutRetries;
            }
        }
        return client;
    }

    /** The SNS client. */
    public SnsClient sns() {
        SnsClient client = sns;
        if (client == null) {
            synchronized (this) {
                if (sns == null) {
                    sns = configure(SnsClient.builder()).build();
                }
                client = sns;
            }
        }
        return client;
    }

    /** The STS client (account id for topic ARNs). */
    public StsClient sts() {
        StsClient client = sts;
        if (client == null) {
            synchronized (this) {
                if (sts == null) {
                    sts = configure(StsClient.builder()).build();
                }
                client = sts;
            }
        }
        return client;
    }

    /** The KMS client (encryption). */
    public KmsClient kms() {
        KmsClient client = kms;
        if (client == null) {
            synchronized (this) {
                if (kms == null) {
                    kms = configure(KmsClient.builder()).build();
                }
                client = kms;
            }
        }
        return client;
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.region(region).credentialsProvider(credentials).httpClient(httpClient)
                .overrideConfiguration(ClientOverrideConfiguration.builder().executionInterceptors(interceptors).build());
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder;
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B withoutRetries(B builder) {
        builder.overrideConfiguration(ClientOverrideConfiguration.builder().executionInterceptors(interceptors)
                .retryStrategy(AwsRetryStrategy.doNotRetry()).build());
        return builder;
    }

    @PreDestroy
    void close() {
        for (AutoCloseable client : new AutoCloseable[]{sqs, sns, sts, kms, sqsWithoutRetries, snsWithoutRetries}) {
            if (client != null) {
                try {
                    client.close();
                } catch (Exception ignored) {
                    // closing at shutdown: nothing left to do with a failure
                }
            }
        }
        httpClient.close();
    }
}
