package io.sourceflow;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the first parameter of a CDI bean method as the message the method handles:
 * <pre>{@code
 * void on(@Handles PlaceOrder command) { ... }
 * CompletionStage<Void> on(@Handles OrderPlaced event, MessageContext context) { ... }
 * }</pre>
 * The parameter type is a concrete {@link Command} or {@link Event} type. An optional second parameter
 * of type {@link MessageContext} describes the delivery. The method returns {@code void} or a
 * {@link java.util.concurrent.CompletionStage} (the message counts as handled when the stage completes
 * normally). The method must not be private or static. Mistakes are reported as deployment errors.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Handles {
}
