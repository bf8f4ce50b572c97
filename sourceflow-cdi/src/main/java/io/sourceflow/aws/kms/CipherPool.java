package io.sourceflow.aws.kms;

import java.security.GeneralSecurityException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.crypto.Cipher;

/**
 * Reuses {@code AES/GCM/NoPadding} cipher instances, which are not thread-safe: a thread takes one,
 * initialises it (with a fresh nonce and key every time) and gives it back. Avoids a provider look-up
 * per message without ThreadLocals, which leak in application servers.
 */
final class CipherPool {

    static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final BlockingQueue<Cipher> idle;

    CipherPool(int capacity) {
        this.idle = new ArrayBlockingQueue<>(capacity);
    }

    Cipher take() throws GeneralSecurityException {
        Cipher cipher = idle.poll();
        return cipher != null ? cipher : Cipher.getInstance(TRANSFORMATION);
    }

    /** Returns a cipher whose last operation finished (successfully or not); a full pool drops it. */
    void give(Cipher cipher) {
        idle.offer(cipher);
    }
}
