"""What the process-level checks share: a free loopback port, and waiting for a condition with a deadline (a wait
that times out fails the check)."""
import socket
import signal
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, condition, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit(f"FAIL: timed out waiting for {what}")


def interrupt(processes):
    """SIGINT to each process that was started (None: never started), killed if it is not gone within 10 s."""
    for process in processes:
        if process is None:
            continue
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
