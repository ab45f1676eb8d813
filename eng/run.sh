#!/usr/bin/env bash
# Runs the whole suite through the Aspire AppHost: a Kafka broker, PostgreSQL with --postgres, the four services and the
# Aspire dashboard (http://127.0.0.1:18888). Ctrl+C stops everything.
# Usage: eng/run.sh [--postgres] [--kafka-cluster] [--replicas N] [--port-base N] [--data-dir DIR] [-- extra AppHost configuration]
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/prerequisites.sh

usage() { sed -n 2,4p "$0" | sed 's/^# \{0,1\}//'; }
config=()
postgres=false
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) config+=("--AppHost:UsePostgres=true"); postgres=true ;;
    --kafka-cluster) config+=("--AppHost:KafkaNodes=3") ;;
    --replicas) [ $# -ge 2 ] || { echo "--replicas needs a number" >&2; exit 2; }
      [[ "$2" =~ ^[1-8]$ ]] || { echo "--replicas needs a number from 1 to 8, not '$2'" >&2; exit 2; }
      config+=("--AppHost:Replicas=$2"); shift ;;
    --port-base) [ $# -ge 2 ] || { echo "--port-base needs a number" >&2; exit 2; }
      [[ "$2" =~ ^[0-9]+$ ]] || { echo "--port-base needs a number, not '$2'" >&2; exit 2; }
      config+=("--AppHost:PortBase=$2"); shift ;;
    --data-dir) [ $# -ge 2 ] || { echo "--data-dir needs a directory" >&2; exit 2; }
      config+=("--AppHost:DataDirectory=$(realpath -m "$2")"); shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; config+=("$@"); break ;;
    *) echo "Unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if $postgres; then
  ensure_packages postgresql:/usr/lib/postgresql/15/bin/initdb
fi
ensure_kafka
exec dotnet run --project AppHost -- "${config[@]}"
