#!/usr/bin/env bash
# Runs a lone Prometheus Alertmanager on 127.0.0.1:<port> with a throw-away configuration
# (keeps alerts, notifies nobody) and storage under <dir> (default: a new temp dir).
#   tools/alertmanager/start.sh [port=9093] [dir]
# Installs the Debian package first when needed (install.sh). Ctrl-C / SIGTERM stops it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${1:-9093}"
dir="${2:-$(mktemp -d -t alertmanager-XXXXXX)}"
"$here/install.sh"
mkdir -p "$dir/data"
cat > "$dir/alertmanager.yml" <<'YAML'
route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: blackhole
YAML
echo "alertmanager: http://127.0.0.1:${port} (config and storage in ${dir})" >&2
# exec: the caller's process id is Alertmanager's, so stopping it needs no process-group games.
exec prometheus-alertmanager \
  --config.file="$dir/alertmanager.yml" \
  --storage.path="$dir/data" \
  --web.listen-address="127.0.0.1:${port}" \
  --cluster.listen-address=
