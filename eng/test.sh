#!/usr/bin/env bash
# Runs every test: component (in-memory), integration (real Kafka and PostgreSQL, started in isolation by the tests),
# end-to-end (the AppHost through Aspire.Hosting.Testing, over HTTP), and the Aspire dashboard in headless Chromium (Debian's,
# through Playwright). Extra arguments go to `dotnet test` (e.g. --filter ...).
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/prerequisites.sh
ensure_packages postgresql:/usr/lib/postgresql/15/bin/initdb chromium:/usr/bin/chromium
ensure_kafka

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test ECommerce.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# CI keeps only the tail of the output: repeat each failed test with its error message (stack trace cut short) at the end.
# Hosts' console log lines ("info: …" and their six-space continuations) interleave with it and are skipped.
awk '/^(info|warn|fail|crit|dbug|trce): / { inlog = 1; next }
     inlog && /^      / { next }
     { inlog = 0 }
     /^  Failed [^ ]/ { show = 1; lines = 0; print; next }
     /^  (Passed|Skipped) [^ ]/ || /^Test Run / || /^\[xUnit/ { show = 0 }
     show && lines < 40 { print; lines++ }' "$log"

# A child process's native crash (a library's failed assertion, a segmentation fault) is named once even when the failed
# test's own lines above were cut short.
grep -aE "Assertion .* failed|Segmentation fault|core dumped" "$log" | sed -E 's/^\[xUnit[^]]*\] +//; s/^ +//' | sort -u | head -n 10 || true

# One closing line over all test assemblies (each ends with "Total tests: / Passed: / Failed: / Skipped:" lines).
awk '/^ +Passed: +[0-9]+$/ { passed += $2 } /^ +Failed: +[0-9]+$/ { failed += $2 } /^ +Skipped: +[0-9]+$/ { skipped += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
