/**
 * The public API: message markers, routing annotations, handler methods, CommandBus, EventPublisher, MessageContext, exceptions; code outside this repository compiles against these names.
 * Depends on nothing of SourceFlow's.
 */
package io.sourceflow;
