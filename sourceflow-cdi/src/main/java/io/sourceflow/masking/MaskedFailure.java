package io.sourceflow.masking;

/**
 * A log-safe copy of an exception whose message (or a cause's or suppressed exception's message)
 * quoted a {@link io.sourceflow.Sensitive} value: same class name in {@link #toString()}, same stack
 * trace, same cause chain, with the values masked. Made by
 * {@link SensitiveDataMasker#maskFailure(Throwable, Object)}; a stack trace printed from it reads like
 * the original's.
 */
public final class MaskedFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String originalClassName;

    MaskedFailure(Throwable original, String maskedMessage) {
        super(maskedMessage);
        this.originalClassName = original.getClass().getName();
        setStackTrace(original.getStackTrace());
    }

    /** @return the class name of the exception this is a masked copy of */
    public String originalClassName() {
        return originalClassName;
    }

    /** Like {@link Throwable#toString()} of the original: its class name, then the masked message. */
    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message == null ? originalClassName : originalClassName + ": " + message;
    }
}
