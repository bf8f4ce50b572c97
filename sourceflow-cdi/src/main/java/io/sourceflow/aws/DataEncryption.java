package io.sourceflow.aws;

import io.sourceflow.aws.kms.DecryptionFailedException;
import io.sourceflow.aws.kms.EncryptionContext;
import io.sourceflow.aws.kms.EncryptionFailedException;
import io.sourceflow.aws.kms.KmsUnavailableException;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.config.EncryptionSettings;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * The deployment's one {@link MessageEncryptor}, created on first use so that a deployment that never
 * meets encrypted data builds no KMS client. Sending encrypts only when
 * {@code sourceflow.aws.encryption.enabled=true}; receiving decrypts encrypted data whatever that
 * setting says (it needs only {@code kms:Decrypt}), so consumers can be upgraded before producers turn
 * encryption on. See docs/encryption.md, "Pipeline".
 */
@Singleton
public final class DataEncryption {

    private final EncryptionSettings settings;
    private final Instance<AwsServiceClients> clients;
    private volatile MessageEncryptor encryptor;

    @Inject
    DataEncryption(SourceFlowConfig config, Instance<AwsServiceClients> clients) {
        this.settings = config.aws().encryption();
        this.clients = clients;
    }

    /** Whether sent message data is encrypted. */
    public boolean enabled() {
        return settings.enabled();
    }

    /**
     * Encrypts message data for sending.
     *
     * @throws EncryptionFailedException if KMS gives no data key; the message must not be sent
     */
    public String encrypt(String dataJson, EncryptionContext context) {
        return encryptor().encrypt(dataJson, context);
    }

    /** Decrypts received message data. */
    public String decrypt(String encryptedDataJson, EncryptionContext context) throws DecryptionFailedException, KmsUnavailableException {
        return encryptor().decrypt(encryptedDataJson, context);
    }

    private MessageEncryptor encryptor() {
        MessageEncryptor current = encryptor;
        if (current == null) {
            synchronized (this) {
                if (encryptor == null) {
                    encryptor = new MessageEncryptor(clients.get().kms(), settings, Clock.systemUTC());
                }
                current = encryptor;
            }
        }
        return current;
    }
}
