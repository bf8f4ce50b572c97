package io.sourceflow.aws.kms;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/** The two KMS calls, and the classification of their failures. Thread-safe. */
final class KmsDataKeys {

    static final int KEY_BYTES = 32;

    private static final System.Logger LOG = System.getLogger(KmsDataKeys.class.getName());

    /**
     * Error codes that say nothing about the message or key, only that KMS (or our own credentials)
     * cannot answer right now: retrying later may succeed. Expired or unrecognised credentials are
     * here because they concern the receiver's own setup, not the message; dead-lettering every
     * message because of them would empty the queue into its DLQ.
     */
    private static final Set<String> TRANSIENT_CODES = Set.of(
            "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
            "LimitExceededException", "KMSInternalException", "InternalFailure", "ServiceUnavailable",
            "ServiceUnavailableException", "DependencyTimeoutException", "KeyUnavailableException",
            "CloudHsmClusterNotActiveException", "CustomKeyStoreInvalidStateException",
            "ExpiredToken", "ExpiredTokenException", "RequestExpired", "UnrecognizedClientException",
            "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature");

    private final KmsClient kms;
    private final Clock clock;

    KmsDataKeys(KmsClient kms, Clock clock) {
        this.kms = kms;
        this.clock = clock;
    }

    /** GenerateDataKey (AES_256) under {@code keyId} for one destination. */
    DataKey generate(String keyId, String destination) {
        GenerateDataKeyResponse response;
        try {
            response = kms.generateDataKey(b -> b.keyId(keyId)
                    .keySpec(DataKeySpec.AES_256)
                    .encryptionContext(Binding.kmsContext(destination)));
        } catch (SdkException e) {
            boolean retryable = isTransient(e);
            throw new EncryptionFailedException("cannot encrypt message data for " + destination
                    + ": KMS GenerateDataKey with key " + keyId + " failed (" + describe(e) + "); "
                    + (retryable ? "KMS is throttling or unreachable, retry later"
                            : "check that the key exists, is enabled and that this application may use kms:GenerateDataKey on it")
                    + ". Nothing was sent", retryable, e);
        }
        String kid = response.keyId();
        byte[] plaintext = response.plaintext().asByteArrayUnsafe();
        try {
            if (plaintext.length != KEY_BYTES || kid == null || kid.isBlank()) {
                throw new EncryptionFailedException("cannot encrypt message data for " + destination + ": KMS key "
                        + keyId + " returned a " + plaintext.length + "-byte data key" + (kid == null ? " without a key id" : "")
                        + ", expected " + KEY_BYTES + " bytes. Nothing was sent", false, null);
            }
            LOG.log(Level.DEBUG, () -> "New data key from KMS key " + kid + " for destination " + destination);
            return new DataKey(new SecretKeySpec(plaintext, "AES"), kid, response.ciphertextBlob().asByteArray(), clock.millis());
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** Decrypt of a wrapped data key, with the KMS key recorded in the envelope. */
    DataKey decrypt(String kid, byte[] edk, String destination) throws DecryptionFailedException, KmsUnavailableException {
        DecryptResponse response;
        try {
            response = kms.decrypt(b -> b.keyId(kid)
                    .ciphertextBlob(SdkBytes.fromByteArray(edk))
                    .encryptionContext(Binding.kmsContext(destination)));
        } catch (SdkException e) {
            if (isTransient(e)) {
                throw new KmsUnavailableException("KMS Decrypt of the data key (KMS key " + kid + ") failed: " + describe(e)
                        + "; the message stays on the queue and is retried", e);
            }
            throw new DecryptionFailedException("KMS refused to decrypt the data key with KMS key " + kid + " ("
                    + describe(e) + "): the data key was tampered with, the message was encrypted for another"
                    + " destination, or the key is wrong, disabled, deleted or not permitted (kms:Decrypt)", e);
        }
        byte[] plaintext = response.plaintext().asByteArrayUnsafe();
        try {
            if (plaintext.length != KEY_BYTES) {
                throw new DecryptionFailedException("KMS key " + kid + " decrypted a " + plaintext.length
                        + "-byte data key; SourceFlow data keys are " + KEY_BYTES + " bytes");
            }
            LOG.log(Level.DEBUG, () -> "Decrypted a data key with KMS key " + kid + " for destination " + destination);
            return new DataKey(new SecretKeySpec(plaintext, "AES"), kid, edk, clock.millis());
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            return status >= 500 || status == 429 || service.isThrottlingException()
                    || (code != null && TRANSIENT_CODES.contains(code));
        }
        // SdkClientException (no answer: connection refused, timeout, DNS) and any other SDK failure
        // without an answer from KMS.
        return true;
    }

    private static String describe(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            return service.awsErrorDetails().errorCode() + ", HTTP " + service.statusCode();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
