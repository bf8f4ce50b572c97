package io.sourceflow.wire;

import java.util.Objects;

/**
 * A received message that can never be decoded, however often it is retried; the listener
 * sends such a message to the dead-letter queue at once, with {@link #reason()} in its attributes.
 *
 * <p>Messages say what is wrong and never contain the payload, which may hold sensitive data.
 */
public final class UndecodableMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a message cannot be decoded. */
    public enum Reason {
        /** The body is not JSON, or not a JSON object, or an envelope attribute has the wrong form. */
        MALFORMED_JSON,
        /** {@code specversion} is missing or is not {@code "1.0"}. */
        UNSUPPORTED_SPEC_VERSION,
        /** {@code sfwireversion} names a SourceFlow wire format this version does not know. */
        UNSUPPORTED_WIRE_VERSION,
        /** {@code id} is missing or blank. */
        MISSING_ID,
        /** {@code type} is missing or blank. */
        MISSING_TYPE,
        /** {@code data} is missing or null, or only {@code data_base64} is present. */
        MISSING_DATA,
        /** {@code type} is not in this deployment's allow-list of logical type names. */
        UNKNOWN_TYPE,
        /** {@code data} does not map onto the Java type registered for the logical type. */
        SCHEMA_MISMATCH,
        /** The body is an SNS JSON envelope but not a {@code Notification} with a string {@code Message}. */
        NOT_AN_SNS_NOTIFICATION,
        /**
         * {@code type} is handled by this deployment, but not routed to the queue it arrived on: a command type
         * goes to its own queue, an event type to the event queues whose subscriptions let it through.
         */
        NOT_ROUTED_HERE,
        /** The data is plaintext, and {@code sourceflow.aws.encryption.required=true}. */
        NOT_ENCRYPTED
    }

    private final Reason reason;

    /**
     * @param reason  why the message cannot be decoded
     * @param message what is wrong, without any part of the payload
     */
    public UndecodableMessageException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why the message cannot be decoded */
    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + reason + "]: " + getMessage();
    }
}
