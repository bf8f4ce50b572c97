/**
 * Startup provisioning of the AWS resources SourceFlow uses: SQS queues with their dead-letter
 * queues and redrive policies, SNS topics, filtered raw-delivery subscriptions and the queue
 * policies that let exactly those topics send to the queues.
 * A {@link io.sourceflow.aws.provisioning.ProvisioningPlan} says what should exist and
 * {@link io.sourceflow.aws.provisioning.ResourceProvisioner} creates, verifies or only resolves it,
 * idempotently, according to the {@link io.sourceflow.aws.provisioning.ProvisioningMode}.
 */
package io.sourceflow.aws.provisioning;
