#!/usr/bin/env bash
# Start a real Bluesky PDS (@atproto/pds 0.4.x on node 20) and an in-memory
# did:plc directory (@did-plc/server), both on 127.0.0.1, for SMO's tests and
# for trying the Bluesky adapter by hand. Prints the PDS URL once it answers
# /xrpc/_health. The node packages are installed by bin/ensure-bluesky-pds into
# var/bluesky-pds/node_modules (git-ignored), from package-lock.json here.
#
#   tests/peers/bluesky_pds/start.sh        # background; writes $PDS_STATE/pds.pid and pds.log
#   FOREGROUND=1 tests/peers/bluesky_pds/start.sh
#   kill "$(cat var/bluesky-pds/state/pds.pid)"
#
# tests/peers/bluesky_pds/launch.py does the same from pytest, on free ports.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
export NODE_PATH="${NODE_PATH:-$ROOT/var/bluesky-pds/node_modules}"
if [ ! -d "$NODE_PATH/@atproto/pds" ] || [ ! -d "$NODE_PATH/@did-plc/server" ]; then
  sh "$ROOT/bin/ensure-bluesky-pds" >&2
fi

export PDS_PORT="${PDS_PORT:-2583}"
export PLC_PORT="${PLC_PORT:-2582}"
PDS_STATE="${PDS_STATE:-$ROOT/var/bluesky-pds/state}"
if [ "${PDS_FRESH:-1}" = "1" ]; then rm -rf "$PDS_STATE"; fi
mkdir -p "$PDS_STATE/data" "$PDS_STATE/blobs"

export PDS_HOSTNAME="${PDS_HOSTNAME:-localhost}"  # handles end in .test
export PDS_DATA_DIRECTORY="$PDS_STATE/data"
export PDS_BLOBSTORE_DISK_LOCATION="$PDS_STATE/blobs"
export PDS_JWT_SECRET="${PDS_JWT_SECRET:-local-jwt-secret}"
export PDS_ADMIN_PASSWORD="${PDS_ADMIN_PASSWORD:-admin-pass}"
export PDS_DPOP_SECRET="${PDS_DPOP_SECRET:-$(printf '%064x' 1)}"
# Any valid secp256k1 private key (32 bytes, hex).
export PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX="${PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX:-$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))")}"
export PDS_DEV_MODE="${PDS_DEV_MODE:-true}"
export PDS_INVITE_REQUIRED="${PDS_INVITE_REQUIRED:-false}"
export PDS_CRAWLERS="${PDS_CRAWLERS:-}"  # no relay
export LOG_ENABLED="${LOG_ENABLED:-false}"
unset PDS_BSKY_APP_VIEW_URL PDS_BSKY_APP_VIEW_DID PDS_MOD_SERVICE_URL PDS_REPORT_SERVICE_URL || true

URL="http://127.0.0.1:$PDS_PORT"
if [ "${FOREGROUND:-0}" = "1" ]; then
  exec node "$HERE/run-local.js"
fi

node "$HERE/run-local.js" >"$PDS_STATE/pds.log" 2>&1 &
echo $! >"$PDS_STATE/pds.pid"
for _ in $(seq 1 300); do
  if curl -fsS "$URL/xrpc/_health" >/dev/null 2>&1; then
    echo "$URL"
    exit 0
  fi
  if ! kill -0 "$(cat "$PDS_STATE/pds.pid")" 2>/dev/null; then
    echo "PDS exited; log:" >&2; cat "$PDS_STATE/pds.log" >&2; exit 1
  fi
  sleep 0.1
done
echo "PDS did not become healthy in 30s; log:" >&2; cat "$PDS_STATE/pds.log" >&2
exit 1
