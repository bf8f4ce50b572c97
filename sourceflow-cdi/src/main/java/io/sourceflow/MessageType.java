package io.sourceflow;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets the logical type name of a message type: the name on the wire (CloudEvents {@code type}), in
 * SNS filter policies and in configuration keys. Default: the simple class name. Java class names never
 * travel on the wire. Two types with the same logical name in one deployment are a deployment error.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageType {
    /** The logical name: letters, digits, {@code .}, {@code _} and {@code -}, at most 128 characters. */
    String value();
}
