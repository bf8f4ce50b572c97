package io.sourceflow.idempotency.jpa;

import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@link jakarta.persistence.EntityManagerFactory} the JPA idempotency store uses. The application produces
 * it, for its own persistence unit or a dedicated one:
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class SourceFlowPersistence {
 *     @Produces @IdempotencyPersistenceUnit
 *     @PersistenceUnit(unitName = "orders")
 *     EntityManagerFactory emf;
 * }
 * }</pre>
 *
 * The unit must list {@code io.sourceflow.idempotency.jpa.ProcessedMessage}.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE})
public @interface IdempotencyPersistenceUnit {

    /** The literal, for programmatic lookup. */
    final class Literal extends jakarta.enterprise.util.AnnotationLiteral<IdempotencyPersistenceUnit>
            implements IdempotencyPersistenceUnit {
        /** The one instance. */
        public static final Literal INSTANCE = new Literal();
        private static final long serialVersionUID = 1L;

        private Literal() {
        }
    }
}
