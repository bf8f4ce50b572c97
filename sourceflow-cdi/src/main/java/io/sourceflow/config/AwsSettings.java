package io.sourceflow.config;


import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the AWS transport ({@code sourceflow.aws.*}); see the configuration table in the README.
 *
 * @param region the AWS region; empty means the SDK's default region chain
 * @param endpoint one endpoint override for SQS, SNS, KMS and STS (emulators)
 * @param commandRouting send routed commands to SQS (off: they are delivered in-process, as in the .NET EnableCommandRouting)
 * @param eventRouting publish routed events to SNS (off: they are delivered in-process)
 * @param commandListener poll the queues of the routed commands this deployment handles
 * @param eventListener own an event queue subscribed to the topics of the routed events handled here
 * @param provisioning what to do with queues, topics and subscriptions at startup
 * @param maxReceiveCount receives before SQS moves a message to the dead-letter queue
 * @param visibilityTimeout the queues' visibility timeout
 * @param waitTime long-poll wait of one receive
 * @param maxConcurrentMessages handlers running at once per queue
 * @param messageRetention how long the queues keep a message
 * @param batchLinger how long a send waits for others to share a batch request (also FIFO delete batches, and the pause after a short receive)
 * @param shutdownTimeout how long stopping waits for running handlers
 * @param executor JNDI name of the ManagedExecutorService that runs pollers and handlers
 * @param retryInitialDelay visibility delay after a handler's first failure (doubles with each receive)
 * @param retryMaxDelay the largest retry delay
 * @param maxVisibilityExtension how long, in total, the heartbeat extends a running handler's message
 * @param handlerTimeout how long a handler may run before its message is given up (redelivered) and it is interrupted
 * @param encryption KMS envelope encryption
 */
public record AwsSettings(Optional<String> region, Optional<URI> endpoint,
                          boolean commandRouting, boolean eventRouting,
                          boolean commandListener, boolean eventListener,
                          ProvisioningMode provisioning, int maxReceiveCount,
                          Duration visibilityTimeout, Duration waitTime, int maxConcurrentMessages,
                          Duration messageRetention, Duration batchLinger, Duration shutdownTimeout,
                          String executor, Duration retryInitialDelay, Duration retryMaxDelay,
                          Duration maxVisibilityExtension, Duration handlerTimeout, EncryptionSettings encryption) {
}
