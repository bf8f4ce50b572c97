package io.sourceflow;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component or field whose value must never appear in logs, exception messages,
 * dead-letter reasons or span attributes. SourceFlow renders messages for those places through
 * {@code io.sourceflow.masking.SensitiveDataMasker}, which shows such a value masked according to
 * {@link #kind()}, also inside nested records, lists, maps, {@code Optional}s and arrays.
 *
 * <pre>{@code
 * public record PlaceOrder(@EntityKey String orderId,
 *                          @Sensitive(kind = Sensitive.Kind.CARD) String card,
 *                          @Sensitive(kind = Sensitive.Kind.EMAIL) String email,
 *                          @Sensitive Address address,
 *                          BigDecimal total) implements Command {}
 * // logged as PlaceOrder[orderId=o-1, card=****1234, email=***@example.com, address=***, total=12.50]
 * }</pre>
 *
 * <p>Masking concerns what SourceFlow writes about a message; it does not encrypt the message on the
 * wire (enable {@code sourceflow.aws.encryption.enabled} for that).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD})
public @interface Sensitive {

    /** How the value is shown; {@link Kind#FULL} (nothing of it) unless stated. */
    Kind kind() default Kind.FULL;

    /** Masking strategies. */
    enum Kind {
        /** Nothing of the value is shown: {@code ***}. */
        FULL,
        /**
         * A card-like number: only its last 4 digits are shown, {@code ****1234}; a value with fewer
         * than 8 digits is shown as {@code ***}, since its last 4 would reveal too much of it.
         */
        CARD,
        /**
         * An e-mail address: only the domain is shown, {@code ***@example.com}; a value without
         * {@code @} is shown as {@code ***}.
         */
        EMAIL
    }
}
