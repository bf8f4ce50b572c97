/**
 * SourceFlow's configuration model: every {@code sourceflow.*} MicroProfile Config key, its default and
 * its validation. The whole configuration is read and checked once at startup; a mistake fails the
 * deployment with an error that names the key.
 */
package io.sourceflow.config;
