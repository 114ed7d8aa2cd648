/**
 * What runs without Kafka: CSV datasets (and the ones shipped in the jar), dataset files read as
 * records, labeled rows streamed from libsvm, Vowpal Wabbit and JSON lines files
 * ({@link io.kafkaolr.offline.LabeledRowReader}), the in-process passes of {@code olr replay} and
 * {@code olr evaluate}, and the learning curve {@code olr demo} draws from committed headers. Nothing here imports Kafka.
 */
package io.kafkaolr.offline;
