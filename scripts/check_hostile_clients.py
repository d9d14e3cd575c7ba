#!/usr/bin/env python3
"""Hostile HTTP clients against a worker process on the embedded broker (issue 19), all on 127.0.0.1:

- unknown paths answer 404 and wrong methods 405 (with Allow), both with a JSON error body;
- no event stream for an unknown user (404); beyond --max-event-streams the answer is 503 with Retry-After;
- a connection that sends nothing, or half a request head, is closed after the header timeout, and an idle
  keep-alive connection after the idle timeout;
- 10 000 server-sent-event connect/disconnect cycles: within 30 s the open files are back to the baseline and
  the resident memory within 10 % of it (polled, not slept);
- 2 000 idle connections on the API port: /health/live on the health port still answers, p99 under 100 ms.
Usage: check_hostile_clients.py PATH_TO_STREAMREC
"""
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from harness import free_port, interrupt, wait_for

BIN = sys.argv[1]
GROUP_FLAGS = ["--config", "session.timeout.ms=6000", "--config", "heartbeat.interval.ms=500"]
HOST = "127.0.0.1"
HEADER_TIMEOUT_MS = 1500
IDLE_TIMEOUT_MS = 2500
MAX_STREAMS = 200  # below the connection bound (256), which would otherwise hold the rest in the backlog
SSE_CYCLES = 10_000
IDLE_CONNECTIONS = 2_000


def get(port, path, method="GET"):
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return None, {}, ""


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAIL: {message}")


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def resident_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def metric(port, name):
    _, _, text = get(port, "/metrics")
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
    return values[0] if values else None


def stream_once(port, user):
    """Connects a server-sent-events client, reads up to the `: connected` comment, and hangs up. Returns False when
    the worker answered 503 (its stream bound is reached until heartbeats find the clients that left)."""
    with socket.create_connection((HOST, port), timeout=10) as connection:
        connection.sendall(f"GET /v1/users/{user}/recommendations/stream HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        received = b""
        while b": connected" not in received:
            chunk = connection.recv(65536)
            if not chunk or received.startswith(b"HTTP/1.1 503"):
                check(received.startswith(b"HTTP/1.1 503"), f"event stream closed early: {received[:200]!r}")
                return False
            received += chunk
        return True


def check_json_errors(port):
    status, headers, body = get(port, "/no/such/path")
    check(status == 404 and json.loads(body).get("status") == 404, f"unknown path: {status} {body!r}")
    status, headers, body = get(port, "/health/live", method="POST")
    check(status == 405 and "GET" in headers.get("Allow", "") and json.loads(body).get("status") == 405,
          f"wrong method: {status} {headers} {body!r}")
    print("ok: unknown path → 404, wrong method → 405 with Allow, both JSON")


def check_streams(port, user):
    status, _, body = get(port, "/v1/users/nobody-at-all/recommendations/stream")
    check(status == 404, f"an unknown user's stream answered {status}, not 404")
    held = []
    for _ in range(MAX_STREAMS):
        connection = socket.create_connection((HOST, port), timeout=10)
        connection.sendall(f"GET /v1/users/{user}/recommendations/stream HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        check(connection.recv(65536).startswith(b"HTTP/1.1 200"), "a stream within the bound was refused")
        held.append(connection)
    status, headers, _ = get(port, f"/v1/users/{user}/recommendations/stream")
    check(status == 503 and headers.get("Retry-After"), f"stream beyond the bound: {status} {headers}")
    for connection in held:
        connection.close()
    wait_for("the held streams released (heartbeats find the closed clients)",
             lambda: metric(port, "streamrec_event_streams") == 0, seconds=30)
    print(f"ok: unknown user's stream → 404; stream {MAX_STREAMS + 1} → 503 with Retry-After; released after close")


def check_timeouts(port):
    silent = [socket.create_connection((HOST, port), timeout=10) for _ in range(20)]
    half = [socket.create_connection((HOST, port), timeout=10) for _ in range(20)]
    for connection in half:
        connection.sendall(b"GET /health/live HTTP/1.1\r\nHost:")
    started = time.time()
    for connection in silent + half:
        connection.settimeout(HEADER_TIMEOUT_MS / 1000 + 10)
        try:
            data = connection.recv(1024)
        except ConnectionResetError:
            data = b""
        check(data == b"", f"a connection without a complete head was answered: {data[:100]!r}")
        connection.close()
    took = time.time() - started
    check(took < HEADER_TIMEOUT_MS / 1000 + 5, f"header timeout took {took:.1f} s")
    keep_alive = socket.create_connection((HOST, port), timeout=IDLE_TIMEOUT_MS / 1000 + 10)
    keep_alive.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
    check(keep_alive.recv(65536).startswith(b"HTTP/1.1 200"), "keep-alive request not answered")
    idle_started = time.time()
    check(keep_alive.recv(1024) == b"", "an idle keep-alive connection was not closed")
    idle_took = time.time() - idle_started
    check(IDLE_TIMEOUT_MS / 1000 - 0.5 <= idle_took < IDLE_TIMEOUT_MS / 1000 + 5,
          f"idle connection closed after {idle_took:.1f} s, expected about {IDLE_TIMEOUT_MS / 1000} s")
    keep_alive.close()
    print(f"ok: 40 connections without a complete request head closed within {took:.1f} s "
          f"(header timeout {HEADER_TIMEOUT_MS} ms); an idle keep-alive connection after {idle_took:.1f} s")


def check_stream_cycles(port, pid, user):
    refused = [0]
    errors = []

    def client(count):
        try:
            done = 0
            while done < count:
                if stream_once(port, user):
                    done += 1
                else:  # the bound: wait as Retry-After asks (shorter, the test is bounded in time)
                    refused[0] += 1
                    time.sleep(0.2)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    client(300)  # warm-up: allocator arenas, NIO's pools, the first subscriptions
    wait_for("warm-up streams released", lambda: metric(port, "streamrec_event_streams") == 0, seconds=30)
    files, rss = open_files(pid), resident_kb(pid)
    refused[0] = 0
    started = time.time()
    threads = [threading.Thread(target=client, args=(SSE_CYCLES // 4,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(not errors, f"stream cycles failed: {errors[:3]}")
    took = time.time() - started
    peak_files = open_files(pid)
    released = time.time()
    wait_for(f"open files back to {files} and RSS within 10 % of {rss} kB",
             lambda: open_files(pid) <= files and resident_kb(pid) <= rss * 1.10
             and metric(port, "streamrec_event_streams") == 0, seconds=30)
    print(f"ok: {SSE_CYCLES} stream connect/disconnect cycles in {took:.1f} s ({refused[0]} answered 503 at the "
          f"bound and retried); open files {files} → {peak_files} → {open_files(pid)}, RSS {rss} → "
          f"{resident_kb(pid)} kB, back within {time.time() - released:.1f} s")


def check_idle_flood(port, health_port):
    flood = []
    for _ in range(IDLE_CONNECTIONS):
        connection = socket.socket()
        connection.setblocking(False)
        connection.connect_ex((HOST, port))  # beyond the bound they wait in the backlog, or retry their SYN
        flood.append(connection)
    latencies = []
    for _ in range(300):
        started = time.perf_counter()
        status, _, _ = get(health_port, "/health/live")
        latencies.append(time.perf_counter() - started)
        check(status == 200, f"/health/live on the health port answered {status} with {IDLE_CONNECTIONS} idle "
                             "API connections")
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    for connection in flood:
        connection.close()
    check(p99 < 0.100, f"/health/live p99 {p99 * 1000:.1f} ms with {IDLE_CONNECTIONS} idle API connections")
    wait_for("the API port answering again", lambda: get(port, "/health/live")[0] == 200, seconds=30)
    print(f"ok: {IDLE_CONNECTIONS} idle API connections: /health/live on the health port p50 "
          f"{latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms (300 requests)")


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, IDLE_CONNECTIONS + 512)), hard))
    workdir = tempfile.mkdtemp(prefix="streamrec-hostile-")
    log = open(os.path.join(workdir, "processes.log"), "w")
    broker = subprocess.Popen([BIN, "broker", "--partitions", "2"], stdout=subprocess.PIPE, stderr=log, text=True)
    worker = None
    try:
        bootstrap = broker.stdout.readline().strip()
        port, health_port = free_port(), free_port()
        worker = subprocess.Popen(
            [BIN, "run", "--brokers", bootstrap, "--group-id", "hostile-check", "--partitions", "2", "--lanes", "1",
             "--http-port", str(port), "--health-port", str(health_port), "--http-host", HOST,
             "--http-max-connections", "256", "--http-header-timeout-ms", str(HEADER_TIMEOUT_MS),
             "--http-idle-timeout-ms", str(IDLE_TIMEOUT_MS), "--sse-heartbeat-ms", "500",
             "--max-event-streams", str(MAX_STREAMS), *GROUP_FLAGS],
            stdout=log, stderr=log)
        wait_for("/health/ready", lambda: get(health_port, "/health/ready")[0] == 200)
        subprocess.run(
            [BIN, "produce", "--brokers", bootstrap, "--generate", "--count", "500", "--users", "20", "--items",
             "100", "--categories", "5", "--seed", "7"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        users = [f"u{n}" for n in range(20)]
        wait_for("a user with a list", lambda: any(get(port, f"/v1/users/{u}/recommendations")[0] == 200
                                                   for u in users))
        user = next(u for u in users if get(port, f"/v1/users/{u}/recommendations")[0] == 200)
        check_json_errors(port)
        check_streams(port, user)
        check_timeouts(port)
        check_stream_cycles(port, worker.pid, user)
        check_idle_flood(port, health_port)
        worker.send_signal(signal.SIGTERM)
        check(worker.wait(timeout=30) == 0, "the worker did not exit 0 after SIGTERM")
        worker = None
        print("hostile clients check passed")
    finally:
        interrupt((worker, broker))
        log.close()


if __name__ == "__main__":
    main()
