/**
 * Log-safe rendering of messages: {@link io.sourceflow.masking.SensitiveDataMasker} shows a message
 * with its {@link io.sourceflow.Sensitive} values masked, and removes those values from free text such
 * as exception messages, before SourceFlow writes them to logs, dead-letter reasons or span attributes.
 */
package io.sourceflow.masking;
