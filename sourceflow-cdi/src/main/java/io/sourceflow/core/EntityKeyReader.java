package io.sourceflow.core;

import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** Reads the {@link io.sourceflow.EntityKey} of a message through a method handle built once per type. */
public final class EntityKeyReader {

    private final MethodHandle getter;
    private final String memberName;

    EntityKeyReader(MethodHandle getter, String memberName) {
        this.getter = getter;
        this.memberName = memberName;
    }

    /** The entity key of the message as a string, empty when the member is null. */
    public Optional<String> read(Object message) {
        Object value;
        try {
            value = getter.invoke(message);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("Reading @EntityKey " + memberName + " failed", t);
        }
        return Optional.ofNullable(value).map(Object::toString);
    }

    /** The member that holds the key, for messages: {@code PlaceOrder.orderId}. */
    public String memberName() {
        return memberName;
    }
}
