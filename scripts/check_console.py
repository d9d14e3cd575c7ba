#!/usr/bin/env python3
"""The web console in a real browser (Debian's chromium, driven by selenium through chromium-driver) against two
worker processes on the embedded broker:

- the overview's totals match the worker's /metrics (each value between a scrape before and one after the page's);
  its lag table lists the input partitions; the models view counts lists per version as /metrics does;
- the user view, on the instance that does NOT serve the user: it follows the 307 to the owner (CORS), shows who
  serves the user, and its lists change without a reload when events are produced for the user — the list the
  page shows is the one the API answers (same streamrec-id);
- the item, instances and evaluation views render what /v1 and the `streamrec evaluate` report say;
- the page logs no error to its console. Screenshots of every view: .build-tools/console/*.png.
Usage: check_console.py PATH_TO_STREAMREC
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Producer
from prometheus_client.parser import text_string_to_metric_families
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from check_operations import GROUP_FLAGS, free_port, get, metric, wait_for
from check_serving import produce_generated, produce_lines, request, start_worker, stop_processes

BIN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, ".build-tools", "console")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "movielens")
# The model versions the check publishes.
ACTIVE, CANARY = "fm-console-1", "fm-console-2"
# The overview's totals and the /metrics series they are read from.
OVERVIEW = {
    "events-total": "streamrec_events_processed_total", "checkpoints-total": "streamrec_commits_total",
    "aborts-total": "streamrec_checkpoints_aborted_total", "dlq-total": "streamrec_dead_letters_total",
    "late-total": "streamrec_late_events_total", "recommendations-total": "streamrec_recommendations_total",
    "restored": "streamrec_tasks_restored_total", "changelog": "streamrec_changelog_records_total",
}


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Debian's driver, so selenium downloads nothing.
    return webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))


class Page:
    def __init__(self, driver, port):
        self.driver, self.port, self.errors = driver, port, []

    def open(self, hash_path):
        self.driver.get(f"http://127.0.0.1:{self.port}/{hash_path}")

    def until(self, what, condition, seconds=30):
        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=0.2).until(lambda _: condition())
        except Exception as error:
            self.screenshot("failure")
            raise SystemExit(f"FAIL: timed out waiting for {what} ({type(error).__name__})")

    def js(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)

    def attribute(self, selector, name):
        return self.js("const n = document.querySelector(arguments[0]); return n && n.getAttribute(arguments[1]);",
                       selector, name)

    def text(self, selector):
        return self.js("const n = document.querySelector(arguments[0]); return n ? n.textContent : null;", selector)

    def count(self, selector):
        return self.js("return document.querySelectorAll(arguments[0]).length;", selector)

    def screenshot(self, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.driver.save_screenshot(os.path.join(ARTIFACTS, f"{name}.png"))

    def checked(self, view, message):
        """A view passed: its screenshot, the errors its page logged meanwhile, and what was checked."""
        self.screenshot(view)
        self.collect_errors(view)
        print(f"ok: {message}")

    def collect_errors(self, view):
        """Severe entries of the page's console (uncaught errors, failed loads, CSP violations). Chromium logs every
        4xx answer as one: the only one allowed is the documented 404 of a user's features before the user's first
        closed window (the user view asks for them after each list)."""
        for entry in self.driver.get_log("browser"):
            message = entry["message"]
            expected = entry.get("source") == "network" and "/features" in message and "404" in message
            if entry["level"] == "SEVERE" and not expected:
                self.errors.append(f"{view}: {entry['message']}")


def metric_totals(port):
    return {element: metric(port, name) for element, name in OVERVIEW.items()}


def check_overview(page, port):
    page.open("#/overview")
    page.until("the overview's first scrapes", lambda: int(page.attribute("#overview", "data-scrapes") or 0) >= 2)
    assigned = json.loads(request(port, "/console/info")[1])["partitions"]
    page.until(f"the lag of this instance's input partitions {assigned}", lambda: sorted(page.js(
        "return [...document.querySelectorAll('#lag tr[data-topic=\"user-behavior\"]')].map(n => +n.dataset.partition)"
    )) == assigned)
    before = metric_totals(port)
    scrapes = int(page.attribute("#overview", "data-scrapes"))
    # Two more page scrapes: the second one started after `before` was taken.
    page.until("two more page scrapes", lambda: int(page.attribute("#overview", "data-scrapes")) >= scrapes + 2)
    shown = {element: float(page.attribute(f"#{element}", "data-value")) for element in OVERVIEW}
    after = metric_totals(port)
    for element in OVERVIEW:
        if not before[element] <= shown[element] <= after[element]:
            raise SystemExit(f"FAIL: the overview shows {element} = {shown[element]}, /metrics said "
                             f"{before[element]} before and {after[element]} after")
    # This instance's share of the 3 000 events and 20 bad records (the other instance has the rest).
    if shown["dlq-total"] < 1 or shown["events-total"] < 300:
        raise SystemExit(f"FAIL: the overview shows too little: {shown}")
    totals = ", ".join(f"{key} {int(value)}" for key, value in shown.items())
    page.checked("overview", f"overview matches /metrics: {totals}; lag of input partitions {assigned}")


def check_models(page, port):
    page.open("#/models")
    page.until("the active and the canary version", lambda: page.text("#model-active") == ACTIVE
               and page.text("#model-canary") == CANARY and page.attribute(f'tr[data-version="{ACTIVE}"]', "class")
               == "active" and page.attribute(f'tr[data-version="{CANARY}"]', "class") == "canary")
    counted = {}
    for version in (ACTIVE, CANARY):
        row = f'#model-versions tr[data-version="{version}"]'
        for column, name in (("lists", "streamrec_model_lists_total"), ("hits", "streamrec_model_hits_total")):
            before = metric_of_version(port, name, version)
            page.until(f"{version}'s {column} as of now", lambda: float(
                page.attribute(f"{row} td[data-{column}]", f"data-{column}") or -1) >= before)
            shown = float(page.attribute(f"{row} td[data-{column}]", f"data-{column}"))
            after = metric_of_version(port, name, version)
            if not before <= shown <= after:
                raise SystemExit(f"FAIL: the models view shows {shown} {column} for {version}, /metrics "
                                 f"{before}..{after}")
            counted[f"{version} {column}"] = int(shown)
    if not counted[f"{ACTIVE} lists"] or not counted[f"{CANARY} lists"]:
        raise SystemExit(f"FAIL: both versions should have ranked lists: {counted}")
    page.checked("models", f"models view: active {ACTIVE}, canary {CANARY}, counters as /metrics has them: {counted}")


def metric_of_version(port, name, version):
    _, text = get(port, "/metrics")
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == name and sample.labels.get("version") == version)


def publish_models(bootstrap, workdir):
    """An active version and a canary for half of the users, as an operator publishes them (`streamrec model`)."""
    for name, weight, flags in ((ACTIVE, 0.5, ["--activate"]), (CANARY, 0.25, ["--canary-share", "0.5"])):
        path = os.path.join(workdir, f"{name}.json")
        with open(path, "w") as file:  # a small FM in the model file format (see ModelFile.swift)
            json.dump({"format": "streamrec-model/1", "version": name, "kind": "fm", "hashBits": 8, "factors": 2,
                       "fields": 3, "hiddenUnits": 0, "bias": 0, "linear": {"7": weight}, "embeddings": {},
                       "mlp": None, "createdAt": 1732406400000, "trainedExamples": 1200,
                       "metrics": {"logLoss": 0.41, "auc": 0.73}}, file)
        subprocess.run([BIN, "model", "publish", "--file", path, "--brokers", bootstrap, *flags], check=True,
                       stdout=subprocess.DEVNULL)


def user_served_elsewhere(ports):
    """A new user whose partition the second instance serves: the first answers 307 for it."""
    for index in range(200):
        user = f"console-user-{index}"
        status, _, headers = request(ports[0], f"/v1/users/{user}/recommendations", follow=False)
        if status == 307 and f":{ports[1]}/" in headers["Location"]:
            return user
    raise SystemExit("FAIL: no user is served by the second instance")


def event(user, item, behavior):
    return json.dumps({"userId": user, "itemId": item, "behavior": behavior, "timestamp": int(time.time() * 1000)})


def check_user(page, bootstrap, ports):
    user = user_served_elsewhere(ports)
    # A stream is refused (404) for a user with no events yet (issue 19): the user acts once before the page opens.
    produce_lines(bootstrap, [event(user, "i3", "view")])
    wait_for(f"{user}'s first list", lambda: request(ports[0], f"/v1/users/{user}/recommendations")[0] == 200)
    page.open(f"#/user/{user}")
    page.until("the event stream (followed to the owner)", lambda: page.text("#user-stream") == "live")
    page.until("who serves the user", lambda: page.text("#user-served-by") == f"127.0.0.1:{ports[1]}")
    page.js("window.consoleCheckMarker = 1;")  # gone if the page reloads
    produce_lines(bootstrap, [event(user, "i5", "click")])
    personalized = '.panel[data-surface="personalized"]'
    page.until("the personalized list caused by the event",
               lambda: int(page.attribute(personalized, "data-updates")) >= 1
               and page.count(f"{personalized} table tr") > 1 and page.count('#user-events li[data-item="i5"]') == 1)
    first_list = page.attribute(personalized, "data-list-id")
    produce_lines(bootstrap, [event(user, "i7", "cart")])
    page.until("the lists caused by a second event", lambda: page.attribute(personalized, "data-list-id") != first_list
               and page.count('#user-events li[data-item="i7"]') == 1
               and int(page.attribute('.panel[data-surface="cart"]', "data-updates")) >= 1)
    if page.js("return window.consoleCheckMarker;") != 1:
        raise SystemExit("FAIL: the user view reloaded the page")
    status, _, headers = request(ports[0], f"/v1/users/{user}/recommendations")
    shown = page.attribute(personalized, "data-list-id")
    if status != 200 or headers["X-StreamRec-Id"] != shown:
        raise SystemExit(f"FAIL: the page shows list {shown}, the API answers {status} {headers['X-StreamRec-Id']}")
    reasons = page.js(f"return [...document.querySelectorAll('{personalized} td:last-child')].map(n => n.textContent)")
    if not all(reasons):
        raise SystemExit(f"FAIL: a personalized entry has no reason: {reasons}")
    page.checked("user", f"user view of {user} (served by the other instance, followed the 307): the lists "
                 f"changed live with 2 events, no reload; the page's list is the API's ({shown})")


def check_item(page, port):
    item = "i5"
    page.open(f"#/item/{item}")
    page.until("the item's features", lambda: page.count("#item-features tr") >= 5)
    shown = lambda: page.js("return document.querySelector('#item-features tr td').textContent")
    category = lambda: json.loads(request(port, f"/v1/items/{item}/features")[1]).get("categoryId", "–")
    # The page refreshes every 3 s; an event may change the row meanwhile.
    page.until("the item's category as the API has it", lambda: shown() == category())
    page.checked("item", f"item view of {item}: category {shown()}, as the API says; similar items, neighbours")


def check_instances(page, ports):
    page.open("#/instances")
    owners = {p: entry["instance"] for entry in json.loads(request(ports[0], "/v1/instances")[1])
              for p in entry["partitions"]}
    page.until("both instances and every partition's owner", lambda: page.count(
        "#instance-table tr[data-instance]") == 2 and {int(cell["partition"]): cell["owner"] for cell in page.js(
            "return [...document.querySelectorAll('#partition-grid .cell')].map(n => ({partition: n.dataset.partition,"
            " owner: n.querySelector('span').textContent}))")} == owners)
    # The lookup form asks this instance; the answer comes from the owner, after the 307.
    user = user_served_elsewhere(ports)
    page.driver.find_element(By.ID, "owner-search").send_keys(user)
    page.driver.find_element(By.CSS_SELECTOR, "#instances form button").click()
    expected = f"from 127.0.0.1:{ports[1]} (followed the 307)"
    page.until("the owner's answer to the lookup", lambda: expected in (page.text("#owner-answer") or ""))
    page.checked("instances", f"instances view: 2 instances, the owner of each partition {owners}; "
                 f"the lookup of {user} answered {page.text('#owner-answer').split(' · ')[0]}")


def check_evaluation(page, port):
    page.open("#/evaluation")
    page.until("the evaluation report and its plot", lambda: page.count("#evaluation-overall tr[data-strategy]") >= 2
               and page.js("const i = document.querySelector('#evaluation-plot'); return !!i && i.naturalWidth > 0;"))
    report = json.loads(request(port, "/console/evaluation.json")[1])
    for strategy, figures in report["overall"].items():
        shown = page.js(f"return document.querySelector('#evaluation-overall tr[data-strategy=\"{strategy}\"]')"
                        ".children[2].textContent")
        if abs(float(shown) - figures["hitRate"]) > 0.00005:
            raise SystemExit(f"FAIL: the evaluation view shows HR {shown} for {strategy}, the report {figures}")
    page.checked("evaluation", f"evaluation view: the report's hit rate of {len(report['overall'])} strategies "
                 "and the plot")


def produce_bad_records(bootstrap, count):
    """Records that do not decode, so the dead-letter count is not 0 (the producer is gone when this returns)."""
    producer = Producer({"bootstrap.servers": bootstrap})
    for index in range(count):
        producer.produce("user-behavior", key=f"u{index}".encode(), value=b"{not json")
    if producer.flush(10):
        raise SystemExit("FAIL: the bad records were not delivered")


def check_demo(driver, workdir):
    """`streamrec demo` serves the console too, and its user view offers the demo's watched users."""
    port = free_port()
    demo = subprocess.Popen([BIN, "demo", "--duration", "0", "--plain", "--rate", "1000", "--watch", "2",
                             "--http-host", "127.0.0.1", "--http-port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "demo.log"), "w"))
    try:
        page = Page(driver, port)
        wait_for("the demo's console", lambda: get(port, "/health/ready")[0] == 200)
        wait_for("the demo's watched users", lambda: len(json.loads(
            request(port, "/console/info")[1])["suggestedUsers"]) == 2, seconds=60)
        page.open("#/user")
        page.until("the demo's users offered", lambda: page.count(".suggestions a") == 2)
        offered = page.js("return [...document.querySelectorAll('.suggestions a')].map(n => n.textContent)")
        page.driver.find_element(By.CSS_SELECTOR, ".suggestions a").click()
        personalized = '.panel[data-surface="personalized"]'
        page.until(f"{offered[0]}'s feed updated live twice", lambda: page.text("#user-id") == offered[0]
                   and int(page.attribute(personalized, "data-updates") or 0) >= 2, seconds=60)
        page.checked("demo-user", f"demo: the console offers its users {offered}; {offered[0]}'s feed updates live")
        page.open("#/overview")
        page.until("the demo's throughput charted", lambda: int(page.attribute("#overview", "data-scrapes") or 0) >= 6
                   and float(page.attribute("#events-rate", "data-value") or 0) > 0
                   and page.count("#chart-events polyline") == 1, seconds=60)
        page.checked("demo-overview", f"demo: the overview charts {page.text('#events-rate')} events/s")
        return page.errors
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)


def evaluation_report(workdir):
    report, plot = os.path.join(workdir, "q.json"), os.path.join(workdir, "q.svg")
    subprocess.run([BIN, "evaluate", "--format", "movielens", "--items", os.path.join(FIXTURES, "ml-100k-sample.item"),
                    os.path.join(FIXTURES, "ml-100k-sample.inter"), "--bucket", "day", "--json", report,
                    "--plot", plot], check=True, stdout=subprocess.DEVNULL)
    return ["--evaluation-report", report, "--evaluation-report", plot]


def main():
    workdir = tempfile.mkdtemp(prefix="streamrec-console-")
    log = open(os.path.join(workdir, "processes.log"), "w")
    broker = subprocess.Popen([BIN, "broker", "--partitions", "4"], stdout=subprocess.PIPE, stderr=log, text=True)
    workers, driver = [], None
    try:
        bootstrap = broker.stdout.readline().strip()
        ports = [free_port(), free_port()]
        report_flags = evaluation_report(workdir)
        workers = [start_worker(bootstrap, port, log, report_flags) for port in ports]
        for port in ports:
            wait_for(f"instance {port} ready", lambda port=port: get(port, "/health/ready")[0] == 200)
        wait_for("all partitions announced", lambda: sorted(p for entry in json.loads(
            request(ports[0], "/v1/instances")[1]) for p in entry["partitions"]) == [0, 1, 2, 3])
        publish_models(bootstrap, workdir)
        wait_for("the models on both instances", lambda: all(
            json.loads(request(port, "/v1/models")[1])["canary"] == CANARY for port in ports))
        produce_generated(bootstrap, 3000, seed=1, start_time=int(time.time() * 1000) - 3_600_000)
        produce_bad_records(bootstrap, 20)
        wait_for("the events processed", lambda: sum(
            metric(port, "streamrec_events_processed_total") for port in ports) >= 3000, seconds=120)
        wait_for("the bad records dead-lettered", lambda: sum(
            metric(port, "streamrec_dead_letters_total") for port in ports) >= 20)
        driver = browser()
        page = Page(driver, ports[0])
        check_overview(page, ports[0])
        check_models(page, ports[0])
        check_user(page, bootstrap, ports)
        check_item(page, ports[0])
        check_instances(page, ports)
        check_evaluation(page, ports[0])
        driver.get("about:blank")  # the page stops polling before its workers stop
        page.collect_errors("evaluation")
        stop_processes(workers, broker, log)
        errors = page.errors + check_demo(driver, workdir)
        if errors:
            raise SystemExit("FAIL: the page logged errors:\n" + "\n".join(errors))
        print(f"ok: no errors in the page's console; screenshots in {os.path.relpath(ARTIFACTS, ROOT)}/")
        print("check-console: all checks passed")
    finally:
        if driver:
            driver.quit()
        stop_processes(workers, broker, log)


if __name__ == "__main__":
    main()
