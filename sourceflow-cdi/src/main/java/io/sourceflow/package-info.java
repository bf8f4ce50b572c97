/**
 * The public API of SourceFlow: message markers ({@link io.sourceflow.Command}, {@link io.sourceflow.Event}),
 * routing annotations ({@link io.sourceflow.SendTo}, {@link io.sourceflow.RaiseTo}), handler methods
 * ({@link io.sourceflow.Handles}) and the injectable {@link io.sourceflow.CommandBus} and
 * {@link io.sourceflow.EventPublisher}. Code outside this repository compiles against these names.
 */
package io.sourceflow;
