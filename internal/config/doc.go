// Package config loads dre.yaml: the Temporal connection, warehouses,
// dre's state database, the gateway, Slack and PagerDuty credentials, and
// the dataset catalog (package catalog), and the people who make
// decisions with the rules their decisions follow (package people).
//
// Loading reports every problem of a file at once, each with its
// file:line:column and key path. Credentials are never written inline:
// they are Secret references, {env: NAME} or {file: PATH}, that print and
// encode as the reference alone.
//
// The CLI finds the file through --config or DRE_CONFIG. These
// environment variables then override the file (see ApplyEnv); blank
// values count as unset:
//
//	TEMPORAL_ADDRESS                  temporal.address
//	TEMPORAL_NAMESPACE                temporal.namespace
//	DRE_TASK_QUEUE                    temporal.task_queue
//	TEMPORAL_API_KEY                  temporal.api_key, when the file sets none
//	TEMPORAL_TLS                      temporal.tls.enabled ("true" or "false")
//	TEMPORAL_TLS_CLIENT_CERT_PATH     temporal.tls.cert_file
//	TEMPORAL_TLS_CLIENT_KEY_PATH      temporal.tls.key_file
//	TEMPORAL_TLS_SERVER_CA_CERT_PATH  temporal.tls.ca_file
//	TEMPORAL_TLS_SERVER_NAME          temporal.tls.server_name
//	DRE_GATEWAY_LISTEN                gateway.listen
//	DRE_METRICS_LISTEN                worker.metrics_listen
//	DRE_STATE_DSN                     state.dsn (replacing embedded: true)
//
// Secret references may name any other variable, such as SLACK_BOT_TOKEN;
// those are read only when LoadOptions.ResolveSecrets is set.
package config
