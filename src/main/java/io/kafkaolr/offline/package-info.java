/**
 * What runs without Kafka: CSV datasets (and the ones shipped in the jar), dataset files read as
 * records, and the in-process passes of {@code olr replay} and {@code olr evaluate}. Nothing here
 * imports Kafka.
 */
package io.kafkaolr.offline;
