package io.sourceflow.aws.kms;

import io.sourceflow.config.EncryptionSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Encrypts and decrypts the {@code data} of SourceFlow messages with AES-256-GCM under KMS data keys
 * (envelope encryption), in the encrypted-data envelope of wire format 1 (docs/wire-format.md,
 * section 10; design in docs/encryption.md).
 *
 * <p>Each ciphertext is bound to its message id, logical type and destination (AES-GCM associated
 * data), and each data key to its destination (KMS encryption context). Data keys are cached on both
 * sides within {@link EncryptionSettings#dataKeyMaxAge()} and
 * {@link EncryptionSettings#dataKeyMaxMessages()}, so N messages cost about
 * {@code ceil(N / dataKeyMaxMessages)} KMS calls on each side; a maximum of 1 message (or an age of
 * zero) disables caching. The receiver decrypts with the KMS key recorded in each envelope, so
 * messages encrypted before a key switch still decrypt.
 *
 * <p>Thread-safe; create one per application and share it. Never logs key material or plaintext.
 */
public final class MessageEncryptor {

    /** The {@code datacontenttype} of a CloudEvent whose {@code data} is an encrypted-data envelope. */
    public static final String ENCRYPTED_DATA_CONTENT_TYPE = "application/vnd.sourceflow.encrypted+json";

    /** Receiving side: at most this many decrypted data keys are cached (least recently used go first). */
    static final int DEFAULT_MAX_RECEIVER_ENTRIES = 1_000;

    private static final int TAG_BITS = EncryptedData.TAG_BYTES * 8;

    private final String kmsKeyId;
    private final SenderKeyCache senderKeys;
    private final ReceiverKeyCache receiverKeys;
    private final EncryptedData.Reader reader = new EncryptedData.Reader();
    private final CipherPool ciphers = new CipherPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
    private final SecureRandom random = new SecureRandom();

    /**
     * @param kms      the KMS client (the caller owns and closes it)
     * @param settings the encryption settings: {@code kmsKeyId} (key id, ARN or alias) is needed to
     *                 encrypt, not to decrypt; {@code dataKeyMaxAge} zero or positive,
     *                 {@code dataKeyMaxMessages} between 1 and 2^32
     * @param clock    the clock that ages cached data keys
     * @throws IllegalArgumentException if a cache limit is out of range
     */
    public MessageEncryptor(KmsClient kms, EncryptionSettings settings, Clock clock) {
        this(kms, settings, clock, DEFAULT_MAX_RECEIVER_ENTRIES);
    }

    MessageEncryptor(KmsClient kms, EncryptionSettings settings, Clock clock, int maxReceiverEntries) {
        Objects.requireNonNull(kms, "kms");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        CacheLimits limits = CacheLimits.of(settings.dataKeyMaxAge(), settings.dataKeyMaxMessages());
        KmsDataKeys dataKeys = new KmsDataKeys(kms, clock);
        this.kmsKeyId = settings.kmsKeyId().filter(id -> !id.isBlank()).orElse(null);
        this.senderKeys = kmsKeyId == null ? null : new SenderKeyCache(dataKeys, kmsKeyId, clock, limits);
        this.receiverKeys = new ReceiverKeyCache(dataKeys, clock, limits, maxReceiverEntries);
    }

    /**
     * Encrypts message data.
     *
     * @param dataJson the message data as JSON text (the CloudEvent {@code data})
     * @param context  the message id, type and destination the ciphertext is bound to
     * @return the encrypted-data envelope as JSON object text, to be put into the CloudEvent
     *         {@code data} (with {@link #ENCRYPTED_DATA_CONTENT_TYPE} as {@code datacontenttype})
     * @throws EncryptionFailedException if KMS cannot provide a data key or no KMS key is configured;
     *                                   the message must then not be sent
     */
    public String encrypt(String dataJson, EncryptionContext context) {
        Objects.requireNonNull(dataJson, "dataJson");
        Objects.requireNonNull(context, "context");
        if (senderKeys == null) {
            throw new EncryptionFailedException("cannot encrypt message data for " + context.destination()
                    + ": no KMS key is configured; set sourceflow.aws.encryption.kms-key-id. Nothing was sent", false, null);
        }
        DataKey dataKey = senderKeys.acquire(context.destination());
        byte[] iv = new byte[EncryptedData.IV_BYTES];
        random.nextBytes(iv);
        byte[] ct;
        Cipher cipher = null;
        try {
            cipher = ciphers.take();
            cipher.init(Cipher.ENCRYPT_MODE, dataKey.key(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(Binding.associatedData(context));
            ct = cipher.doFinal(dataJson.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new EncryptionFailedException("cannot encrypt message data for " + context.destination() + " with "
                    + CipherPool.TRANSFORMATION + " (" + e.getClass().getSimpleName()
                    + "): the JVM's crypto provider must support AES-256-GCM. Nothing was sent", false, e);
        } finally {
            if (cipher != null) {
                ciphers.give(cipher);
            }
        }
        return new EncryptedData(dataKey.kid(), dataKey.edk(), iv, ct).toJson();
    }

    /**
     * Decrypts message data.
     *
     * @param encryptedDataJson the CloudEvent {@code data}: an encrypted-data envelope
     * @param context           the id and type of the received message, and the destination it was
     *                          sent to
     * @return the message data as JSON text
     * @throws DecryptionFailedException if the data can never be decrypted (malformed envelope,
     *                                   failed authentication, wrong or unusable key): dead-letter
     *                                   the message with reason {@value DecryptionFailedException#DEAD_LETTER_REASON}
     * @throws KmsUnavailableException   if KMS cannot answer now (throttling, outage, unreachable):
     *                                   leave the message for a retry
     */
    public String decrypt(String encryptedDataJson, EncryptionContext context)
            throws DecryptionFailedException, KmsUnavailableException {
        Objects.requireNonNull(context, "context");
        EncryptedData data = reader.read(encryptedDataJson);
        DataKey dataKey = receiverKeys.acquire(data.kid(), data.edk(), context.destination());
        Cipher cipher = null;
        try {
            cipher = ciphers.take();
            cipher.init(Cipher.DECRYPT_MODE, dataKey.key(), new GCMParameterSpec(TAG_BITS, data.iv()));
            cipher.updateAAD(Binding.associatedData(context));
            byte[] plaintext = cipher.doFinal(data.ct());
            return new String(plaintext, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new DecryptionFailedException("the encrypted data failed authentication: its ciphertext, nonce or"
                    + " tag was changed, or it was encrypted for another message id, type or destination (expected id "
                    + context.messageId() + ", type " + context.messageType() + ", destination " + context.destination()
                    + ")", e);
        } catch (GeneralSecurityException e) {
            throw new DecryptionFailedException("cannot decrypt the encrypted data with " + CipherPool.TRANSFORMATION
                    + " (" + e.getClass().getSimpleName() + ")", e);
        } finally {
            if (cipher != null) {
                ciphers.give(cipher);
            }
        }
    }
}
