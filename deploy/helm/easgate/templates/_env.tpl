{{/*
The environment of a service's container. Every name here is one the service parses (run-standalone.ts,
bus-from-env.ts, the service's config.ts); the agreement test runs the container command with exactly this.
Call with (dict "root" $ "service" "cert-vault" "values" $svc).
*/}}
{{- define "easgate.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $dir := include "easgate.secretsDir" $root -}}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ .values.port | quote }}
- name: EASGATE_DATA_DIR
  value: /data
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: EASGATE_SHUTDOWN_TIMEOUT_MS
  value: {{ mul (sub (int $v.terminationGracePeriodSeconds) 5) 1000 | quote }}
- name: KAFKA_BROKERS
  value: {{ $v.kafka.bootstrapServers | quote }}
- name: KAFKA_START_TIMEOUT_MS
  value: {{ $v.kafka.startTimeoutMs | quote }}
- name: KAFKA_PROVISION_TOPICS
  value: {{ and $v.kafka.provisionTopics (not (and $v.strimzi.enabled $v.strimzi.topics.enabled)) | quote }}
{{- with $v.kafka.topicPartitions }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ . | quote }}
{{- end }}
{{- with $v.kafka.replicationFactor }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ . | quote }}
{{- end }}
{{- if $v.kafka.tls.enabled }}
- name: KAFKA_SSL
  value: "true"
- name: KAFKA_SSL_CA_FILE
  value: {{ $dir }}/kafka/ca.crt
{{- if $v.kafka.tls.clientCertSecret.name }}
- name: KAFKA_SSL_CERT_FILE
  value: {{ $dir }}/kafka/client.crt
- name: KAFKA_SSL_KEY_FILE
  value: {{ $dir }}/kafka/client.key
{{- end }}
{{- end }}
{{- if $v.kafka.sasl.enabled }}
{{- $user := include "easgate.kafkaUser" (dict "root" $root "service" .service) | fromYaml }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ $user.username | quote }}
- name: KAFKA_SASL_PASSWORD_FILE
  value: {{ $dir }}/kafka/password
{{- end }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.database.urlSecret.name }}
      key: {{ $v.database.urlSecret.key }}
{{- if $v.api.tokenSecret.name }}
- name: EASGATE_API_TOKEN_FILE
  value: {{ $dir }}/api/token
{{- end }}
{{- if $v.identity.callersSecret.name }}
- name: EASGATE_CALLERS_FILE
  value: {{ $dir }}/identity/callers.json
{{- end }}
- name: EASGATE_SERVICE_KEY_FILE
  value: {{ include "easgate.serviceKeyDir" $root }}/service.key
- name: EASGATE_TRUSTED_SERVICES_FILE
  value: {{ $dir }}/identity/trusted-services.json
{{- if $v.tls.secret.name }}
{{ include "easgate.tlsEnv" (dict "root" $root) }}
{{- end }}
{{- if eq .service "exchange-executor" }}
- name: EXECUTOR_VAULT_URL
  value: {{ include "easgate.peerUrl" (dict "root" $root "peer" "cert-vault") | quote }}
{{- with $v.executor.commandKinds }}
- name: EXECUTOR_COMMAND_KINDS
  value: {{ join "," . | quote }}
{{- end }}
{{- with $v.executor.tenantCommandKinds }}
- name: EXECUTOR_TENANT_COMMAND_KINDS
  value: {{ toJson . | quote }}
{{- end }}
{{- end }}
{{- if eq .service "cert-vault" }}
- name: VAULT_MASTER_KEY_FILE
  value: {{ $dir }}/vault/master-key
{{- if $v.vault.previousKeysSecret.name }}
- name: VAULT_PREVIOUS_MASTER_KEYS_FILE
  value: {{ $dir }}/vault/previous-keys
{{- end }}
{{- with $v.vault.allowedEndpointHosts }}
- name: EASGATE_ALLOWED_ENDPOINT_HOSTS
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- if eq .service "alerting" }}
- name: ALERTING_SECRETS_KEY_FILE
  value: {{ $dir }}/alerting/secrets-key
{{- with $v.alerting.allowedDestinationHosts }}
- name: ALERTING_ALLOWED_DESTINATION_HOSTS
  value: {{ join "," . | quote }}
{{- end }}
{{- if $v.alerting.smtpUrlSecret.name }}
- name: ALERTING_SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.alerting.smtpUrlSecret.name }}
      key: {{ $v.alerting.smtpUrlSecret.key }}
{{- end }}
{{- end }}
{{- range $name, $value := .values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* The projected Secret volume of a service: only the Secrets that service reads. */}}
{{- define "easgate.secretSources" -}}
{{- $v := .root.Values -}}
{{- if $v.api.tokenSecret.name }}
- secret:
    name: {{ $v.api.tokenSecret.name }}
    items: [{ key: {{ $v.api.tokenSecret.key | quote }}, path: api/token }]
{{- end }}
{{- if $v.identity.callersSecret.name }}
- secret:
    name: {{ $v.identity.callersSecret.name }}
    items: [{ key: {{ $v.identity.callersSecret.key | quote }}, path: identity/callers.json }]
{{- end }}
- configMap:
    name: {{ $v.identity.trustedServicesConfigMap.name }}
    items: [{ key: {{ $v.identity.trustedServicesConfigMap.key | quote }}, path: identity/trusted-services.json }]
{{- if $v.tls.secret.name }}
- secret:
    name: {{ $v.tls.secret.name }}
    items:
      {{- include "easgate.tlsItems" (dict "root" .root "component" .service) | nindent 6 }}
{{- end }}
{{- if $v.kafka.tls.enabled }}
- secret:
    name: {{ $v.kafka.tls.caSecret.name }}
    items: [{ key: {{ $v.kafka.tls.caSecret.key | quote }}, path: kafka/ca.crt }]
{{- with $v.kafka.tls.clientCertSecret }}
{{- if .name }}
- secret:
    name: {{ .name }}
    items: [{ key: {{ .certKey | quote }}, path: kafka/client.crt }, { key: {{ .keyKey | quote }}, path: kafka/client.key }]
{{- end }}
{{- end }}
{{- end }}
{{- if $v.kafka.sasl.enabled }}
{{- $user := include "easgate.kafkaUser" (dict "root" .root "service" .service) | fromYaml }}
- secret:
    name: {{ $user.passwordSecret.name }}
    items: [{ key: {{ $user.passwordSecret.key | quote }}, path: kafka/password }]
{{- end }}
{{- if eq .service "cert-vault" }}
- secret:
    name: {{ $v.vault.masterKeySecret.name }}
    items: [{ key: {{ $v.vault.masterKeySecret.key | quote }}, path: vault/master-key }]
{{- if $v.vault.previousKeysSecret.name }}
- secret:
    name: {{ $v.vault.previousKeysSecret.name }}
    items: [{ key: {{ $v.vault.previousKeysSecret.key | quote }}, path: vault/previous-keys }]
{{- end }}
{{- end }}
{{- if eq .service "alerting" }}
- secret:
    name: {{ $v.alerting.secretsKeySecret.name }}
    items: [{ key: {{ $v.alerting.secretsKeySecret.key | quote }}, path: alerting/secrets-key }]
{{- end }}
{{- end -}}
