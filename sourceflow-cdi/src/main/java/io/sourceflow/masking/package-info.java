/**
 * Log-safe rendering of messages: Sensitive values masked in text, failures and dead-letter reasons.
 * Depends on the API only.
 */
package io.sourceflow.masking;
