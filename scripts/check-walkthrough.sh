#!/usr/bin/env bash
# Runs the README's curl walkthrough verbatim against a fresh server on the embedded database, and
# checks that every step answered and the error examples gave the statuses the README promises.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# The walkthrough names port 8000; another server there would answer in this one's place.
if curl -s -o /dev/null http://localhost:8000/; then
  echo "walkthrough: something already listens on port 8000; stop it first"; exit 1
fi
# What npm start does (prestart builds what is stale, then npm start's own node command), the server
# run directly so that the trap stops the server itself.
start=$(cd "$root" && node -p 'require("./package.json").scripts.start')
(cd "$root" && npm run --silent prestart && DATA_DIR="$work/data" LOG_LEVEL=warn exec $start) > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -sf http://localhost:8000/readyz > /dev/null && break
  sleep 0.2
done
curl -sf http://localhost:8000/readyz > /dev/null || { cat "$work/server.log"; exit 1; }

sed -n '/<!-- walkthrough:start -->/,/<!-- walkthrough:end -->/p' "$root/README.md" | sed '1,2d;$d' | sed '$d' > "$work/walkthrough.sh"
(cd "$work" && bash -euo pipefail walkthrough.sh) | tee "$work/output.txt"

for expected in 401 403 404 422; do
  grep -q -- "-> $expected\$" "$work/output.txt" || { echo "walkthrough: no $expected answer where the README shows one"; exit 1; }
done
if grep -q '"success":false' <(grep -v -- '-> 4' "$work/output.txt"); then
  echo "walkthrough: a step that should succeed answered with an error"; exit 1
fi
echo "walkthrough: every step answered as the README says"
