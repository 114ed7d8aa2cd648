/**
 * The processor's HTTP endpoint: models from interactive queries, exports, admin requests,
 * health and readiness, Prometheus metrics and the status page.
 */
package io.kafkaolr.ops;
