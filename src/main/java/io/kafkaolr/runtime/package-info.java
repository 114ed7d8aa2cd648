/** One running processor: Kafka Streams with the kafka-olr topology, and its HTTP endpoint. */
package io.kafkaolr.runtime;
