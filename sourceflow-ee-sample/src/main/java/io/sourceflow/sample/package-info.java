/**
 * The orders-and-payments sample application. It is filled by the sample issue; until then the WAR
 * is empty apart from this package.
 */
package io.sourceflow.sample;
