/**
 * The AWS transport: commands to Amazon SQS queues, events to Amazon SNS topics, batched sending, the
 * queue listeners that feed handlers, and dead-lettering of messages that can never succeed. It starts
 * with the application (provisioning first) and stops with it.
 */
package io.sourceflow.aws;
