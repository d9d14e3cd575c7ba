#!/usr/bin/env bash
# The HTTP API under load while the worker processes events: the embedded broker, one worker (release build) fed
# by a generator at EVENT_RATE events/s, and wrk (Debian's) on loopback asking for the lists of USERS users it
# already serves. Prints wrk's throughput and latency percentiles, and the events the worker processed meanwhile.
# Usage: scripts/bench-http.sh [seconds]   (environment: EVENT_RATE, USERS, CONNECTIONS, THREADS)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
EVENT_RATE=${EVENT_RATE:-5000}
export USERS=${USERS:-1000}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
if ! command -v wrk > /dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk
fi
swift build -c release --product streamrec > /dev/null
bin=.build/release/streamrec
work=$(mktemp -d)
port=18480
cleanup() {
    for job in $(jobs -p); do kill "$job" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
"$bin" broker --partitions 4 > "$work/broker.out" 2> "$work/broker.log" &
while [ ! -s "$work/broker.out" ]; do sleep 0.2; done
brokers=$(head -1 "$work/broker.out")
"$bin" run --brokers "$brokers" --partitions 4 --lanes 1 --http-port "$port" --http-host 127.0.0.1 \
    > "$work/worker.log" 2>&1 &
until curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; do sleep 0.2; done
"$bin" produce --brokers "$brokers" --generate --count 0 --rate "$EVENT_RATE" --users "$USERS" --items 20000 \
    --categories 50 > /dev/null 2>&1 &
echo "waiting until every one of the $USERS users has a list..."
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/users/u$((USERS - 1))/recommendations")" = 200 ] &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/users/u0/recommendations")" = 200 ]; do
    sleep 0.5
done
events() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^streamrec_events_processed_total/ { print $2 }'; }
before=$(events)
wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "${seconds}s" --latency \
    --script bench/http-users.lua "http://127.0.0.1:$port"
after=$(events)
echo "events processed by the worker during the run: $(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }')" \
    "(offered $EVENT_RATE/s for ${seconds} s)"
