package io.sourceflow;

import java.util.concurrent.CompletionStage;

/**
 * Sends commands. Inject it: {@code @Inject CommandBus bus;}. A command type with a route
 * ({@link SendTo} or configuration) goes to its SQS queue and is not handled in-process; a command
 * without a route is handled in-process by the one handler of this deployment.
 */
public interface CommandBus {

    /**
     * Sends a command and returns when it is accepted: written to its queue, or handled in-process
     * (then a handler exception is rethrown here).
     *
     * @throws NoHandlerException if the command has no route and no handler in this deployment
     * @throws SourceFlowException if the command cannot be sent; the message says why
     */
    void send(Command command);

    /**
     * Sends a command without waiting. Commands sent close together are batched (up to 10 per request).
     * The stage completes when the command is accepted, or exceptionally with the reason it was not.
     */
    CompletionStage<Void> sendAsync(Command command);
}
