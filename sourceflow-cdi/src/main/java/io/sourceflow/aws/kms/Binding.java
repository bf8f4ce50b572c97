package io.sourceflow.aws.kms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a ciphertext is bound to, in two places (see docs/encryption.md, "Binding"):
 * <ul>
 *   <li>the AES-GCM associated data binds each message to its id, type and destination;</li>
 *   <li>the KMS encryption context binds each <em>data key</em> to its destination. A data key is
 *       reused for many messages, so only what is constant per cached key can go there.</li>
 * </ul>
 */
final class Binding {

    /** First field of the associated data: separates this use of a data key from any other. */
    static final String AAD_LABEL = "sourceflow-encrypted-data";
    static final String CONTEXT_VERSION_KEY = "sourceflow.v";
    static final String CONTEXT_DESTINATION_KEY = "sourceflow.destination";

    private Binding() {
    }

    /**
     * The AES-GCM associated data: the fields label, envelope version, algorithm, message id, type
     * and destination, each as a 4-byte big-endian unsigned length followed by its UTF-8 bytes, so
     * that no two different field lists give the same bytes.
     */
    static byte[] associatedData(EncryptionContext context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        for (String field : new String[] {AAD_LABEL, Integer.toString(EncryptedData.VERSION), EncryptedData.ALGORITHM,
                context.messageId(), context.messageType(), context.destination()}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            int n = bytes.length;
            out.write(n >>> 24);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
            out.write(bytes, 0, n);
        }
        return out.toByteArray();
    }

    /** The KMS encryption context of the data keys used for one destination. */
    static Map<String, String> kmsContext(String destination) {
        return Map.of(CONTEXT_VERSION_KEY, Integer.toString(EncryptedData.VERSION), CONTEXT_DESTINATION_KEY, destination);
    }
}
