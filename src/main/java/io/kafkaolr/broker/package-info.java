/** The embedded single-node KRaft broker, started when no {@code bootstrap.servers} is configured. */
package io.kafkaolr.broker;
