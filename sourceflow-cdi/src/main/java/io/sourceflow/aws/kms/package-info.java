/**
 * KMS envelope encryption of message data (AES-256-GCM under KMS data keys bound to message id, type and destination) with data-key caches on both sides; docs/encryption.md.
 * Depends on config and the AWS SDK's KMS client only.
 */
package io.sourceflow.aws.kms;
