/**
 * What runs without Kafka: CSV datasets (and the ones shipped in the jar), dataset files read as
 * records, the in-process passes of {@code olr replay} and {@code olr evaluate}, and the learning
 * curve {@code olr demo} draws from committed headers. Nothing here imports Kafka.
 */
package io.kafkaolr.offline;
