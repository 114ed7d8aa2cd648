/**
 * The configuration: {@link io.kafkaolr.config.OlrConfig} layers built-in defaults, a properties
 * file, {@code OLR_*} environment variables and command-line options, and builds the topology's
 * configuration and the model settings from them.
 */
package io.kafkaolr.config;
