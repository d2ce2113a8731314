{{/* Names */}}
{{- define "easgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "easgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<component>; call with (dict "root" $ "component" "cert-vault") */}}
{{- define "easgate.componentName" -}}
{{- printf "%s-%s" (include "easgate.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "easgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels; call with (dict "root" $ "component" "cert-vault") */}}
{{- define "easgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "easgate.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "easgate.labels" -}}
helm.sh/chart: {{ include "easgate.chart" .root }}
{{ include "easgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: easgate
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The image reference: a digest wins over the tag; the tag defaults to appVersion. */}}
{{- define "easgate.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The generated topic catalogue (files/topics.json, from libs/shared/contracts/src/topics.ts). */}}
{{- define "easgate.catalogue" -}}
{{- .Files.Get "files/topics.json" -}}
{{- end -}}

{{/* <NAME>_URL of a peer service: http://<fullname>-<peer>:<port> */}}
{{- define "easgate.peerUrl" -}}
{{- $svc := index .root.Values.services .peer -}}
{{- printf "%s://%s:%v" (ternary "https" "http" (not (empty .root.Values.tls.secret.name))) (include "easgate.componentName" (dict "root" .root "component" .peer)) $svc.port -}}
{{- end -}}

{{/* Where secrets are mounted inside the pods. */}}
{{- define "easgate.secretsDir" -}}/var/run/secrets/easgate{{- end -}}

{{/*
The service's Ed25519 key as the service reads it: copied by the init container from the Secret into a
memory emptyDir, 0600 and owned by the pod's user (the code refuses a key others may read, and fsGroup
makes Secret files group-readable).
*/}}
{{- define "easgate.serviceKeyDir" -}}/run/easgate/identity{{- end -}}
{{- define "easgate.serviceKeySecretDir" -}}/var/run/secrets/easgate-service-key{{- end -}}

{{/* The SASL user and password Secret of a service; call with (dict "root" $ "service" "cert-vault") */}}
{{- define "easgate.kafkaUser" -}}
{{- $users := .root.Values.kafka.sasl.users | default dict -}}
{{- $given := index $users .service | default dict -}}
{{- $default := include "easgate.componentName" (dict "root" .root "component" .service) -}}
{{- $secret := $given.passwordSecret | default dict -}}
username: {{ $given.username | default $default }}
passwordSecret:
  name: {{ $secret.name | default $default }}
  key: {{ $secret.key | default "password" }}
{{- end -}}

{{/* Fails rendering with a clear message when a required Secret reference is missing. */}}
{{- define "easgate.requiredSecrets" -}}
{{- $_ := required "kafka.bootstrapServers is required" .Values.kafka.bootstrapServers -}}
{{- $_ := required "database.urlSecret.name is required (a Secret with the PostgreSQL URL)" .Values.database.urlSecret.name -}}
{{- if not (or .Values.api.tokenSecret.name .Values.identity.callersSecret.name) -}}
{{- fail "api.tokenSecret.name (the admin token) or identity.callersSecret.name (the callers file) is required" -}}
{{- end -}}
{{- $_ := required "identity.serviceKeysSecret.name is required (easgate identity init-services; see deploy/README.md)" .Values.identity.serviceKeysSecret.name -}}
{{- $_ := required "identity.trustedServicesConfigMap.name is required (easgate identity init-services; see deploy/README.md)" .Values.identity.trustedServicesConfigMap.name -}}
{{- if (index .Values.services "cert-vault").enabled -}}
{{- $_ := required "vault.masterKeySecret.name is required (a Secret with the vault master key)" .Values.vault.masterKeySecret.name -}}
{{- end -}}
{{- if .Values.services.alerting.enabled -}}
{{- $_ := required "alerting.secretsKeySecret.name is required (a Secret with the alerting secrets key)" .Values.alerting.secretsKeySecret.name -}}
{{- end -}}
{{- if and .Values.strimzi.enabled .Values.strimzi.users.enabled (not .Values.kafka.sasl.enabled) -}}
{{- fail "strimzi.users.enabled creates SCRAM users: set kafka.sasl.enabled=true so that the services log in with them" -}}
{{- end -}}
{{- if .Values.kafka.tls.enabled -}}
{{- $_ := required "kafka.tls.caSecret.name is required when kafka.tls.enabled" .Values.kafka.tls.caSecret.name -}}
{{- end -}}
{{- end -}}

{{/*
HTTPS between the components (tls.secret): the Secret items one component mounts under <secretsDir>/tls —
its own certificate and key (perComponent: `<component>.crt`/`.key` as `easgate tls init` names them;
shared: `tls.crt`/`tls.key`) and the CA its clients trust (`tls.secret.caKey`, unless empty).
Call with (dict "root" $ "component" "cert-vault"); renders a YAML list.
*/}}
{{- define "easgate.tlsItems" -}}
{{- $s := .root.Values.tls.secret -}}
{{- $perComponent := eq $s.layout "perComponent" -}}
- key: {{ ternary (printf "%s.crt" .component) "tls.crt" $perComponent }}
  path: tls/tls.crt
- key: {{ ternary (printf "%s.key" .component) "tls.key" $perComponent }}
  path: tls/tls.key
{{- if $s.caKey }}
- key: {{ $s.caKey }}
  path: tls/ca.crt
{{- end }}
{{- end -}}

{{/* The HTTPS environment of a component: serve with its own pair, trust the CA for calls to the others. */}}
{{- define "easgate.tlsEnv" -}}
{{- $dir := include "easgate.secretsDir" .root -}}
- name: EASGATE_TLS_CERT_FILE
  value: {{ $dir }}/tls/tls.crt
- name: EASGATE_TLS_KEY_FILE
  value: {{ $dir }}/tls/tls.key
{{- if .root.Values.tls.secret.caKey }}
- name: EASGATE_TLS_CA_FILE
  value: {{ $dir }}/tls/ca.crt
{{- end }}
{{- end -}}
