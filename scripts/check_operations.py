#!/usr/bin/env python3
"""End-to-end check of a worker as operators run it, on the embedded broker in its own process:

- /health/live, /health/ready and /metrics answer over HTTP; the metrics parse as Prometheus text
  (prometheus_client's parser) and count what was processed;
- SIGTERM during processing: the worker exits 0 within its grace period after a final commit;
- a restarted worker (same group) neither loses nor repeats outputs: one recommendation list per event,
  unique ids.
Usage: check_operations.py PATH_TO_STREAMREC
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from harness import free_port, interrupt, wait_for

BIN = sys.argv[1]
GROUP_FLAGS = ["--config", "session.timeout.ms=6000", "--config", "heartbeat.interval.ms=500"]


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return None, ""


def metric(port, name):
    _, text = get(port, "/metrics")
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                total += sample.value
    return total


def start_worker(bootstrap, port, log):
    return subprocess.Popen(
        [BIN, "run", "--brokers", bootstrap, "--group-id", "ops-check", "--partitions", "4", "--lanes", "2",
         "--http-port", str(port), "--http-host", "127.0.0.1", "--checkpoint-interval-ms", "200",
         "--grace-period-seconds", "20", "--log-format", "json", *GROUP_FLAGS],
        stdout=log, stderr=log)


def stop_worker(worker, port):
    started = time.time()
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(timeout=30)
    took = time.time() - started
    if code != 0:
        raise SystemExit(f"FAIL: worker exited {code} after SIGTERM")
    if took > 20:
        raise SystemExit(f"FAIL: SIGTERM took {took:.1f} s, more than the 20 s grace period")
    print(f"ok: SIGTERM → exit 0 after {took:.1f} s")


def produce(bootstrap, count, seed):
    subprocess.run(
        [BIN, "produce", "--brokers", bootstrap, "--generate", "--count", str(count), "--users", "200",
         "--items", "500", "--categories", "10", "--seed", str(seed)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def feed_ids(bootstrap):
    """The `streamrec-id`s of every recommendations record, and of the event feeds among them (one personalized list
    per event; the other surfaces — cart, window lists, similar items — come besides)."""
    tail = subprocess.run(
        [BIN, "tail", "--brokers", bootstrap, "--topic", "recommendations", "--from-beginning", "--headers",
         "--idle-timeout", "5", *GROUP_FLAGS],
        check=True, capture_output=True, text=True, timeout=120)

    def event_feed(line):
        document = json.loads(line.split("\t")[-2])
        return document.get("surface") == "personalized" and document.get("trigger", {}).get("kind") == "event"

    def record_id(line):
        parts = line.split("\t")[-1].strip("{}").split(", ")
        return next(part.split("=", 1)[1].rstrip("}") for part in parts if part.startswith("streamrec-id="))

    lines = [line for line in tail.stdout.splitlines() if "streamrec-id=" in line]
    return [record_id(line) for line in lines], [record_id(line) for line in lines if event_feed(line)]


def main():
    workdir = tempfile.mkdtemp(prefix="streamrec-ops-")
    log = open(os.path.join(workdir, "processes.log"), "w")
    broker = subprocess.Popen([BIN, "broker", "--partitions", "4"], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        bootstrap = broker.stdout.readline().strip()
        print(f"embedded broker at {bootstrap}")
        port = free_port()
        worker = start_worker(bootstrap, port, log)
        wait_for("/health/live", lambda: get(port, "/health/live")[0] == 200)
        wait_for("/health/ready", lambda: get(port, "/health/ready")[0] == 200)
        print("ok: /health/live and /health/ready answer 200")

        produce(bootstrap, 2000, seed=1)
        wait_for("2000 events processed", lambda: metric(port, "streamrec_events_processed_total") >= 2000)
        status, text = get(port, "/metrics")
        families = {family.name for family in text_string_to_metric_families(text)}
        expected = {"streamrec_records_in", "streamrec_events_processed", "streamrec_recommendations",
                    "streamrec_state_keys_users", "streamrec_ready", "streamrec_commits", "streamrec_queued_records",
                    "streamrec_recommendation_event_age_seconds"}
        wait_for("consumer lag from librdkafka's statistics",
                 lambda: "streamrec_consumer_lag_records{" in get(port, "/metrics")[1], seconds=20)
        missing = expected - families
        if status != 200 or missing:
            raise SystemExit(f"FAIL: /metrics status {status}, missing families {sorted(missing)}")
        print(f"ok: /metrics parses as Prometheus text ({len(families)} families)")
        if get(port, "/nothing-else")[0] != 404:
            raise SystemExit("FAIL: the HTTP server answers paths other than metrics and health")

        produce(bootstrap, 1000, seed=2)  # SIGTERM arrives while these are being processed
        stop_worker(worker, port)

        worker = start_worker(bootstrap, port, log)
        wait_for("restarted worker ready", lambda: get(port, "/health/ready")[0] == 200)
        produce(bootstrap, 1000, seed=3)
        # Until every event's feed is there (read back), instead of a fixed sleep before SIGTERM: the restarted
        # worker's own counters cannot tell, it may also have had the second batch to do.
        wait_for("a feed for each of the 4000 events", lambda: len(set(feed_ids(bootstrap)[1])) >= 4000, seconds=180)
        stop_worker(worker, port)

        all_ids, ids = feed_ids(bootstrap)
        if len(set(all_ids)) != len(all_ids):
            raise SystemExit(f"FAIL: {len(all_ids) - len(set(all_ids))} recommendation lists repeated")
        if len(ids) != 4000 or len(set(ids)) != 4000:
            raise SystemExit(f"FAIL: expected 4000 unique event feeds, got {len(ids)} ({len(set(ids))} unique)")
        print("ok: after a SIGTERM and a restart, 4000 events gave 4000 lists, none lost, none repeated")
    finally:
        interrupt((broker,))
        log.close()
    with open(os.path.join(workdir, "processes.log")) as logs:
        json_lines = [line for line in logs if line.startswith("{")]
    if not json_lines or not all(json.loads(line).get("level") for line in json_lines):
        raise SystemExit("FAIL: --log-format json did not write JSON log lines")
    print(f"ok: {len(json_lines)} JSON log lines")
    print("operations check passed")


if __name__ == "__main__":
    main()
