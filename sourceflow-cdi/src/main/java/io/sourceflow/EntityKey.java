package io.sourceflow;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the record component, field or no-argument method that identifies the entity a message belongs
 * to (an order id, a customer id). Its {@code toString()} becomes the CloudEvents {@code subject} and,
 * on FIFO queues and topics, the SQS/SNS {@code MessageGroupId}: messages of one entity are delivered in
 * order, different entities in parallel. At most one per type; required (and non-null) on FIFO routes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface EntityKey {
}
