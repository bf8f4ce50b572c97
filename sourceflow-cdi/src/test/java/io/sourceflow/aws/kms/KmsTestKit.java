package io.sourceflow.aws.kms;

import io.sourceflow.config.EncryptionSettings;
import io.sourceflow.testing.MotoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** KMS clients and keys for the encryption tests (moto, a closed port, or a fault server). */
final class KmsTestKit {

    private KmsTestKit() {
    }

    static KmsClient kms(MotoServer moto, ExecutionInterceptor... interceptors) {
        return kms(moto.endpoint(), true, interceptors);
    }

    /** A client whose endpoint is a port nothing listens on. */
    static KmsClient unreachable() {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kms(URI.create("http://127.0.0.1:" + port), false);
    }

    static KmsClient kms(URI endpoint, boolean retry, ExecutionInterceptor... interceptors) {
        return KmsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        o.addExecutionInterceptor(interceptor);
                    }
                    if (!retry) {
                        o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    }
                    o.apiCallTimeout(Duration.ofSeconds(20));
                })
                .build();
    }

    /** Creates a symmetric key and returns its ARN. */
    static String createKey(KmsClient kms) {
        return kms.createKey(b -> b.description("sourceflow test")).keyMetadata().arn();
    }

    /** Creates a key with a fresh alias and returns the alias name ({@code alias/...}). */
    static String createKeyWithAlias(KmsClient kms, String prefix) {
        String arn = createKey(kms);
        String alias = "alias/" + prefix + "-" + UUID.randomUUID();
        kms.createAlias(b -> b.aliasName(alias).targetKeyId(arn));
        return alias;
    }

    static EncryptionSettings settings(String keyId, Duration maxAge, long maxMessages) {
        return new EncryptionSettings(true, Optional.ofNullable(keyId), maxAge, maxMessages);
    }

    static EncryptionSettings cached(String keyId) {
        return settings(keyId, Duration.ofMinutes(5), 10_000);
    }

    static EncryptionContext context(String destination) {
        return new EncryptionContext(UUID.randomUUID().toString(), "orders.PlaceOrder", destination);
    }
}
