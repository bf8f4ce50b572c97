/**
 * The portable CDI extension: the composition root that discovers @Handles methods, reports every deployment problem at once and registers SourceFlow's beans.
 * Depends on everything below it; nothing depends on it.
 */
package io.sourceflow.cdi;
