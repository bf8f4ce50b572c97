package io.sourceflow.aws.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * How KMS errors are classified, with the real SDK parsing real KMS error responses from a local
 * endpoint (moto does not produce throttling or disabled-key errors).
 */
class KmsErrorClassificationTest {

    private static final String ENVELOPE = "{\"v\":1,\"alg\":\"AES-256-GCM\","
            + "\"kid\":\"arn:aws:kms:us-east-1:123456789012:key/6f0e2c8a-0000-4000-8000-000000000000\","
            + "\"edk\":\"" + Base64.getEncoder().encodeToString(new byte[96]) + "\","
            + "\"iv\":\"AAAAAAAAAAAAAAAA\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";

    @ParameterizedTest(name = "{1} (HTTP {0}) -> retryable: {2}")
    @CsvSource({
            "400, ThrottlingException, true",
            "429, TooManyRequestsException, true",
            "500, KMSInternalException, true",
            "503, ServiceUnavailable, true",
            "500, DependencyTimeoutException, true",
            "400, KeyUnavailableException, true",
            "400, ExpiredTokenException, true",
            "400, DisabledException, false",
            "400, InvalidCiphertextException, false",
            "400, IncorrectKeyException, false",
            "400, AccessDeniedException, false",
            "400, NotFoundException, false",
            "400, KMSInvalidStateException, false",
            "400, InvalidKeyUsageException, false"})
    void classifiesKmsErrors(int status, String errorCode, boolean retryable) throws Exception {
        try (KmsFaultServer fault = new KmsFaultServer(status, errorCode);
             KmsClient kms = KmsTestKit.kms(fault.endpoint(), false)) {
            MessageEncryptor encryptor = new MessageEncryptor(kms, KmsTestKit.cached("alias/orders"), Clock.systemUTC());
            EncryptionContext context = KmsTestKit.context("orders.fifo");

            assertThatThrownBy(() -> encryptor.decrypt(ENVELOPE, context))
                    .isInstanceOf(retryable ? KmsUnavailableException.class : DecryptionFailedException.class)
                    .hasMessageContaining(errorCode);
            assertThatThrownBy(() -> encryptor.encrypt("{\"orderId\":\"o-1\"}", context))
                    .isInstanceOf(EncryptionFailedException.class)
                    .hasMessageContaining("alias/orders").hasMessageContaining(errorCode)
                    .hasMessageNotContaining("o-1")
                    .satisfies(e -> assertThat(((EncryptionFailedException) e).isRetryable()).isEqualTo(retryable));
        }
    }
}
