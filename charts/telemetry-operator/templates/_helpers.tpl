{{/* Names and labels shared by every object of the chart. */}}
{{- define "telemetry-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telemetry-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "telemetry-operator.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "telemetry-operator.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "telemetry-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "telemetry-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "telemetry-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "telemetry-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: manager
{{- end }}

{{- define "telemetry-operator.serviceAccountName" -}}
{{- default (include "telemetry-operator.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "telemetry-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "telemetry-operator.sinkImage" -}}
{{- if .Values.sinkImage.repository }}
{{- printf "%s:%s" .Values.sinkImage.repository (default .Chart.AppVersion .Values.sinkImage.tag) }}
{{- else }}
{{- include "telemetry-operator.image" . }}
{{- end }}
{{- end }}

{{- define "telemetry-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "telemetry-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telemetry-operator.webhookConfigName" -}}
{{- printf "%s-pod-injection" (include "telemetry-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "telemetry-operator.certSecretName" -}}
{{- printf "%s-webhook-cert" (include "telemetry-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
