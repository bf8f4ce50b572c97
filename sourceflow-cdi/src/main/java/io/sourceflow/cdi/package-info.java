/**
 * The portable CDI extension: it finds {@link io.sourceflow.Handles} methods while beans are discovered,
 * validates them, and builds the one immutable {@link io.sourceflow.cdi.HandlerRegistry} (logical name to
 * type, type to handlers and route). It also holds the {@link io.sourceflow.CommandBus} and
 * {@link io.sourceflow.EventPublisher} beans and in-process delivery. Types here are internal.
 */
package io.sourceflow.cdi;
