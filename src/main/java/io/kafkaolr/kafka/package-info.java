/**
 * Kafka client plumbing shared by the commands and the HTTP endpoint: creating topics, group-less
 * consumers, one model's partition of the model topic, the control topic, and the cluster a
 * command talks to (the configured one or an embedded broker).
 */
package io.kafkaolr.kafka;
