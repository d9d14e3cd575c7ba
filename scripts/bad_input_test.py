#!/usr/bin/env python3
"""Bad input at volume (issue 9): 1 M mixed records, 10 % of them bad, through a real worker on the embedded broker.

Every good event must show in the user features (per user, the `events` of its closed windows add up to the events
sent), and every bad record must be in the dead-letter topic once, with its original key, value and headers (an
oversized one cut to --max-record-bytes, with its size and SHA-256), its
source, and the class it was sent as — none lost, none duplicated.

The worker also runs with secrets among its Kafka settings (part 6 of the issue): they must appear neither in its
log nor in /metrics.

Usage: bad_input_test.py PATH_TO_STREAMREC [RECORDS]
"""
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

from confluent_kafka import Consumer, KafkaError, Producer

BIN = sys.argv[1]
RECORDS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
PARTITIONS = 48  # the embedded broker keeps ~5 MB per partition: the input and the shuffle must fit while read
USERS, ITEMS, CATEGORIES = 2_000, 5_000, 40
WINDOW_MS = 300_000
MAX_RECORD_BYTES = 2_048
NOW = int(time.time() * 1000)
START = NOW - 3 * 3_600_000  # event times in the past of the records' own timestamps (now)
SPAN_MS = 20 * 60_000  # four user windows: few window closes, so the test measures decoding, not ranking
# Passed through to librdkafka like any SASL setting (ignored with the plaintext protocol); must never be shown.
SECRETS = {"sasl.password": f"canary-{uuid.uuid4().hex}", "ssl.key.password": f"canary-{uuid.uuid4().hex}"}
BEHAVIORS = ["view"] * 70 + ["click"] * 20 + ["favorite"] * 6 + ["cart"] * 2 + ["purchase"] * 2


def event_json(user, item, behavior, timestamp, category):
    return json.dumps({"userId": user, "itemId": item, "behavior": behavior, "timestamp": timestamp,
                       "categoryId": category}, separators=(",", ":")).encode()


def good_record(index, rng):
    """A valid event, JSON or CSV, its time growing with `index` so that nothing is late."""
    user = f"u{rng.randrange(USERS)}"
    item = rng.randrange(ITEMS)
    timestamp = START + index * SPAN_MS // RECORDS
    behavior = rng.choice(BEHAVIORS)
    if index % 2:
        return user, f"{user},i{item},c{item % CATEGORIES},{behavior},{timestamp}".encode()
    return user, event_json(user, f"i{item}", behavior, timestamp, f"c{item % CATEGORIES}")


# One sample per class of bad record; each bad record is sent as one of these, in turn.
BAD = [
    ("emptyRecord", b"  \n"),
    ("malformed", b'{"userId":"u1",}'),
    ("truncated", b'{"userId":"u1","itemId":"i1","beh'),
    ("invalidUTF8", b'{"userId":"\xff\xfe","itemId":"i1","behavior":"view","timestamp":1700000000000}'),
    ("wrongColumnCount", b"this is not an event"),
    ("missingField", b'{"userId":"u1","itemId":"i1","behavior":"view"}'),
    ("wrongType", b'{"userId":"u1","itemId":"i1","behavior":"view","timestamp":"soon"}'),
    ("unknownBehavior", b'u1,i1,c1,teleport,1700000000000'),
    ("emptyId", b'{"userId":"","itemId":"i1","behavior":"view","timestamp":1700000000000}'),
    ("idTooLong", event_json("u" * 300, "i1", "view", 1700000000000, None)),
    ("timestampOutOfRange", b'u1,i1,c1,view,-5'),
    ("timestampInFuture", event_json("u1", "i1", "view", NOW + 10 * 86_400_000, None)),
    ("recordTooLarge", event_json("u1", "i1", "view", 1700000000000, "c" * MAX_RECORD_BYTES)),
    ("nullValue", None),
]


class Reader(threading.Thread):
    """Everything of some topics from the start, while the worker writes them (the broker keeps ~5 MB/partition)."""

    def __init__(self, bootstrap, topics):
        super().__init__(daemon=True)
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4()}", "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
            "isolation.level": "read_committed"})
        self.assigned = threading.Event()
        self.consumer.subscribe(topics, on_assign=lambda consumer, partitions: self.assigned.set())
        self.records = {topic: [] for topic in topics}
        self.next_offset = {}
        self.failure = None
        self.stopping = False

    def run(self):
        while not self.stopping:
            for message in self.consumer.consume(5000, 0.2):
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        self.failure = str(message.error())
                    continue
                where = (message.topic(), message.partition())
                if message.offset() != self.next_offset.get(where, 0):
                    self.failure = f"{where}: offset {message.offset()}, expected {self.next_offset.get(where, 0)}"
                self.next_offset[where] = message.offset() + 1
                self.records[message.topic()].append(
                    (message.key(), message.value(), dict(message.headers() or [])))
        self.consumer.close()


def main():
    workdir = tempfile.mkdtemp(prefix="bad-input-")
    log = open(os.path.join(workdir, "worker.log"), "w")
    processes = []
    try:
        broker = subprocess.Popen([BIN, "broker", "--partitions", str(PARTITIONS)], stdout=subprocess.PIPE,
                                  stderr=log, text=True)
        processes.append(broker)
        bootstrap = broker.stdout.readline().strip()
        reader = Reader(bootstrap, ["user-features", "user-behavior.dlq"])
        reader.start()
        if not reader.assigned.wait(60):
            raise SystemExit("FAIL: the reader got no partitions in 60 s")

        started = time.time()
        rng = random.Random(9)
        producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random", "linger.ms": 20,
                             "queue.buffering.max.messages": 500_000, "log.connection.close": False})
        good_per_user, bad_sent, last_time = {}, {}, START
        for index in range(RECORDS):
            if index % 10 == 9:  # every tenth record is bad, of each class in turn
                reason, value = BAD[(index // 10) % len(BAD)]
                key = f"bad-{index}"
                bad_sent[key] = (reason, value)
                producer.produce("user-behavior", key=key, value=value, headers=[("origin", key.encode())])
            else:
                user, value = good_record(index, rng)
                good_per_user[user] = good_per_user.get(user, 0) + 1
                last_time = max(last_time, START + index * SPAN_MS // RECORDS)
                producer.produce("user-behavior", key=user, value=value)
            if index % 50_000 == 0:
                producer.poll(0)
        # Last, in every partition, an event far enough ahead to close every window before it.
        for partition in range(PARTITIONS):
            flush = event_json(f"flush-{partition}", "i0", "view", last_time + 3 * WINDOW_MS, None)
            producer.produce("user-behavior", key=f"flush-{partition}", value=flush, partition=partition)
        producer.flush(60)
        produced = time.time()

        port = free_port()
        environment = dict(os.environ, STREAMREC_KAFKA_SSL_KEY_PASSWORD=SECRETS["ssl.key.password"])
        worker = subprocess.Popen(
            [BIN, "run", "--brokers", bootstrap, "--group-id", "bad-input", "--partitions", str(PARTITIONS),
             "--lanes", "2", "--http-port", str(port), "--http-host", "127.0.0.1", "--co-occurrence-items", "0",
             "--config", f"sasl.password={SECRETS['sasl.password']}",
             "--recommendation-interval-ms", "3600000", "--table-update-interval-ms", "300000",
             "--max-record-bytes", str(MAX_RECORD_BYTES), "--log-format", "json",
             "--config", "session.timeout.ms=6000", "--config", "heartbeat.interval.ms=500"],
            stdout=log, stderr=log, env=environment)
        processes.append(worker)

        expected_events = sum(good_per_user.values())
        deadline = time.time() + 150
        while time.time() < deadline and worker.poll() is None:
            time.sleep(1)
            features = sum(json.loads(value)["events"] for _, value, _ in reader.records["user-features"])
            if len(reader.records["user-behavior.dlq"]) >= len(bad_sent) and features >= expected_events:
                break
        processed = time.time()
        if worker.poll() is not None:
            raise SystemExit(f"FAIL: the worker exited {worker.returncode} (log: {log.name})")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            metrics = response.read().decode()
        worker.send_signal(signal.SIGTERM)
        if worker.wait(timeout=60) != 0:
            raise SystemExit(f"FAIL: the worker exited {worker.returncode} after SIGTERM (log: {log.name})")
        time.sleep(2)
        reader.stopping = True
        reader.join()
        if reader.failure:
            raise SystemExit(f"FAIL: the reader missed records: {reader.failure}")

        failures = check(reader.records, good_per_user, bad_sent)
        log.flush()
        with open(log.name) as written:
            logged = written.read()
        for name, secret in SECRETS.items():
            for where, text in (("the worker's log", logged), ("/metrics", metrics)):
                if secret in text:
                    failures.append(f"the value of {name} is shown in {where}")
        for reason in {reason for reason, _ in BAD}:
            sent = sum(1 for sent_reason, _ in bad_sent.values() if sent_reason == reason)
            found = re.search(r'streamrec_dead_letters_total\{[^}]*reason="%s"[^}]*\} ([0-9.]+)' % reason, metrics)
            if not found or float(found.group(1)) != sent:
                failures.append(f"/metrics: streamrec_dead_letters_total{{reason={reason}}} is "
                                f"{found and found.group(1)}, {sent} were sent")
        print(f"bad input: {RECORDS:,} records ({len(bad_sent):,} bad, {len(BAD)} classes) produced in "
              f"{produced - started:.1f} s, processed in {processed - produced:.1f} s")
        if failures:
            for failure in failures[:20]:
                print("FAIL:", failure)
            raise SystemExit(f"FAIL: {len(failures)} problems (log: {log.name})")
        print(f"bad input: every good event counted in its user's features ({expected_events:,} events, "
              f"{len(good_per_user):,} users), every bad record in the DLQ once with its class")
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(records, good_per_user, bad_sent):
    failures = []
    # Good events: per user, the windows' event counts add up to what was sent; each window once.
    counted, windows = {}, set()
    for _, value, headers in records["user-features"]:
        window = headers.get("streamrec-id")
        if window in windows:
            failures.append(f"user-features {window.decode()} written twice")
        windows.add(window)
        body = json.loads(value)
        counted[body["userId"]] = counted.get(body["userId"], 0) + body["events"]
    for user, count in good_per_user.items():
        if counted.get(user, 0) != count:
            failures.append(f"user {user}: {count} events sent, {counted.get(user, 0)} in its features")
    extra = set(counted) - set(good_per_user) - {f"flush-{p}" for p in range(PARTITIONS)}
    if extra:
        failures.append(f"features of users never sent: {sorted(extra)[:5]}")
    # Bad records: each in the DLQ once, unchanged, with its source and class.
    seen = {}
    for key, value, headers in records["user-behavior.dlq"]:
        key = key.decode()
        seen[key] = seen.get(key, 0) + 1
        if key not in bad_sent:
            failures.append(f"dead letter {key} was never sent as bad")
            continue
        reason, sent = bad_sent[key]
        found = headers.get("streamrec-error-class", b"").decode()
        if found != reason:
            failures.append(f"{key}: sent as {reason}, dead-lettered as {found}: {headers.get('streamrec-error-reason')}")
        if reason == "recordTooLarge":
            # Cut to --max-record-bytes (a copy never larger than an accepted record), the original's size and
            # SHA-256 in headers.
            digest = hashlib.sha256(sent).hexdigest().encode()
            if len(key) + len(value) > MAX_RECORD_BYTES or not sent.startswith(value) \
                    or headers.get("streamrec-original-value-sha256") != digest \
                    or not headers.get("streamrec-original-bytes"):
                failures.append(f"{key}: the oversized record's copy is not its first bytes with size and digest")
        elif value != sent or headers.get("origin") != key.encode():
            failures.append(f"{key}: the original value or headers were not kept")
        if not headers.get("streamrec-source", b"").startswith(b"user-behavior:"):
            failures.append(f"{key}: no source header")
    failures += [f"{key} dead-lettered {count} times" for key, count in seen.items() if count > 1]
    failures += [f"{key} ({bad_sent[key][0]}) not in the DLQ" for key in bad_sent if key not in seen]
    return failures


if __name__ == "__main__":
    main()
