#!/usr/bin/env bash
# Runs the whole suite: an isolated RabbitMQ node (and PostgreSQL with --postgres), the four services and the AppHost.
# Usage: eng/run.sh [--postgres] [--port-base N] [--data-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/prerequisites.sh
ensure_packages rabbitmq-server:/usr/lib/rabbitmq/bin/rabbitmq-server
if [[ " $* " == *" --postgres "* ]]; then
  ensure_packages postgresql:/usr/lib/postgresql/15/bin/initdb
fi
exec dotnet run --project AppHost -- "$@"
