{{/* dre.fullname: the release's prefix for every object, "dre" when the release is named dre. */}}
{{- define "dre.fullname" -}}
{{- if eq .Release.Name .Chart.Name -}}
{{- .Chart.Name -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* dre.selectorLabels: the labels a component's pods are selected by; call with (list . "worker"). */}}
{{- define "dre.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ $root.Chart.Name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* dre.labels: selector labels plus the ones that change with each upgrade; call with (list . "worker"). */}}
{{- define "dre.labels" -}}
{{ include "dre.selectorLabels" . }}
app.kubernetes.io/part-of: dre
app.kubernetes.io/version: {{ (index . 0).Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
helm.sh/chart: {{ printf "%s-%s" (index . 0).Chart.Name (index . 0).Chart.Version }}
{{- end -}}

{{/* dre.secretEnv: env entries read from existingSecret; call with (list . .Values.worker.secretEnv). */}}
{{- define "dre.secretEnv" -}}
{{- $root := index . 0 -}}
{{- range index . 1 }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.existingSecret }}
      key: {{ .key }}
      {{- if get . "optional" }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* dre.podSecurity: the pod securityContext both Deployments share. */}}
{{- define "dre.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* dre.containerSecurity: no privilege escalation, read-only root, no capabilities. */}}
{{- define "dre.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}
