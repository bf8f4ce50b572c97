/**
 * KMS envelope encryption of message data: {@link io.sourceflow.aws.kms.MessageEncryptor} encrypts the
 * CloudEvent {@code data} with AES-256-GCM under KMS data keys, binding each ciphertext to its message id,
 * type and destination, and caches data keys on both sides so KMS calls do not grow with message count.
 * The envelope is specified in {@code docs/wire-format.md} (section 10) and the design in
 * {@code docs/encryption.md}.
 */
package io.sourceflow.aws.kms;
