package io.sourceflow.testing;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds real AWS SDK clients pointed at an emulator, optionally with interceptors such as
 * {@link AwsRequestCounter}. The caller closes them.
 */
public record AwsClients(URI endpoint, Region region, AwsCredentialsProvider credentials) {

    /** Clients for a moto server. */
    public static AwsClients of(MotoServer moto) {
        return new AwsClients(moto.endpoint(), moto.region(), moto.credentials());
    }

    /** Clients for an ElasticMQ server (SQS only; SNS/STS clients would point at it too). */
    public static AwsClients of(ElasticMqServer elasticMq) {
        return new AwsClients(elasticMq.endpoint(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
    }

    public SqsClient sqs(ExecutionInterceptor... interceptors) {
        return configure(SqsClient.builder(), interceptors).build();
    }

    public SnsClient sns(ExecutionInterceptor... interceptors) {
        return configure(SnsClient.builder(), interceptors).build();
    }

    public software.amazon.awssdk.services.kms.KmsClient kms(ExecutionInterceptor... interceptors) {
        return configure(software.amazon.awssdk.services.kms.KmsClient.builder(), interceptors).build();
    }

    public StsClient sts(ExecutionInterceptor... interceptors) {
        return configure(StsClient.builder(), interceptors).build();
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, ExecutionInterceptor... interceptors) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder();
        for (ExecutionInterceptor interceptor : interceptors) {
            override.addExecutionInterceptor(interceptor);
        }
        return builder.endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(credentials)
                .overrideConfiguration(override.build());
    }
}
