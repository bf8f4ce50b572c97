package io.sourceflow;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Routes an {@link Event} type to an Amazon SNS topic. The value is a topic short name
 * ({@code order-events}, or {@code order-events.fifo} for a FIFO topic) or a full topic ARN.
 * MicroProfile Config key {@code sourceflow.routes.events.<LogicalType>} overrides it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RaiseTo {
    /** The topic short name or ARN; must not be blank. */
    String value();
}
