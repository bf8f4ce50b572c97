package io.sourceflow;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Routes a {@link Command} type to an Amazon SQS queue. The value is a queue short name
 * ({@code orders} or {@code orders.fifo}; a name ending in {@code .fifo} is a FIFO queue and then the
 * type needs an {@link EntityKey}) or a full queue URL. MicroProfile Config key
 * {@code sourceflow.routes.commands.<LogicalType>} overrides it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SendTo {
    /** The queue short name or URL; must not be blank. */
    String value();
}
