/**
 * Startup provisioning: queues with dead-letter queues and redrive policies, topics, filtered raw-delivery subscriptions and queue policies, created, verified or resolved per ProvisioningMode.
 * Depends on config and the AWS SDK only.
 */
package io.sourceflow.aws.provisioning;
