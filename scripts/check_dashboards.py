#!/usr/bin/env python3
"""Checks the Grafana dashboards and the Prometheus alert rules of deploy/ against the metrics the worker exports.

- every dashboard: the structure Grafana needs to load it (uid, title, schemaVersion, panels with unique ids, a type,
  a gridPos inside the 24-column grid, targets with a refId and an expr, the provisioned data source's uid);
- every PromQL expression of a panel or an alert names only metrics the worker defines: the `streamrec_…` names in
  Sources/ (a histogram also as _bucket, _sum and _count; the console's files left out), Prometheus' own `up`, and the names listed in PENDING.
Usage: check_dashboards.py [ROOT]
"""
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
# Metrics an alert or panel may name before the code that exports them is merged (issue 19: the SSE-client gauge
# and its bound). Remove a name once Sources/ defines it.
PENDING: set[str] = set()
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
                "offset", "le", "inf", "nan"}


def defined_metrics():
    """The metric names Sources/ creates (string literals `"streamrec_…"`, the console's own files left out)."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "Sources", "**", "*.swift"), recursive=True):
        if f"{os.sep}Console{os.sep}" in path:  # the console reads metrics, it defines none
            continue
        text = open(path, encoding="utf-8").read()
        for name in re.findall(r'"(streamrec_[a-z0-9_]+)"', text):
            names.add(name)
        # swift-metrics' Timer and Recorder become Prometheus histograms.
        for name in re.findall(r'(?:Timer|Recorder)\(\s*label:\s*"(streamrec_[a-z0-9_]+)"', text):
            names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"})
    return names


def metric_names(expr):
    """Identifiers of an expression that are metric names: not functions, keywords, label names or strings."""
    expr = re.sub(r"label_values\(([^,)]*),[^)]*\)", r"\1", expr)  # Grafana's variable query: metric, label
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "{}", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)  # ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)  # grouping labels
    names = set()
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", expr):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in PROMQL_WORDS or re.fullmatch(r"[0-9]+[smhdwy]?", word):
            continue
        names.add(word)
    return names


def check_dashboard(path, known, failures):
    dashboard = json.load(open(path, encoding="utf-8"))
    where = os.path.relpath(path, ROOT)
    for key in ("uid", "title", "schemaVersion", "panels"):
        if key not in dashboard:
            failures.append(f"{where}: no {key}")
    datasource_uids = set()
    for provisioning in glob.glob(os.path.join(ROOT, "deploy", "grafana", "provisioning", "datasources", "*.yml")):
        datasource_uids |= {source["uid"] for source in yaml.safe_load(open(provisioning))["datasources"]}
    ids = set()
    expressions = 0
    for panel in dashboard.get("panels", []):
        name = f"{where}: panel {panel.get('id')} '{panel.get('title')}'"
        if panel.get("id") in ids:
            failures.append(f"{name}: id used twice")
        ids.add(panel.get("id"))
        for key in ("type", "title", "gridPos"):
            if key not in panel:
                failures.append(f"{name}: no {key}")
        grid = panel.get("gridPos", {})
        if not (0 <= grid.get("x", -1) and grid.get("w", 0) > 0 and grid.get("x", 0) + grid.get("w", 0) <= 24
                and grid.get("h", 0) > 0 and grid.get("y", -1) >= 0):
            failures.append(f"{name}: gridPos {grid} is not inside the 24-column grid")
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") not in datasource_uids:
            failures.append(f"{name}: data source {panel.get('datasource')} is not provisioned ({datasource_uids})")
        targets = panel.get("targets") or []
        if not targets:
            failures.append(f"{name}: no targets")
        for target in targets:
            if not target.get("refId") or not target.get("expr"):
                failures.append(f"{name}: a target without refId or expr")
                continue
            expressions += 1
            for metric in metric_names(target["expr"]) - known:
                failures.append(f"{name}: {metric} is not a metric the worker exports")
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query", {})
        for metric in metric_names(query.get("query", "") if isinstance(query, dict) else query) - known:
            failures.append(f"{where}: variable {variable.get('name')}: {metric} is not a metric the worker exports")
    return len(ids), expressions


def check_rules(path, known, failures):
    where = os.path.relpath(path, ROOT)
    rules = [rule for group in yaml.safe_load(open(path))["groups"] for rule in group["rules"]]
    for rule in rules:
        for metric in metric_names(rule["expr"]) - known:
            failures.append(f"{where}: {rule.get('alert') or rule.get('record')}: {metric} is not exported")
    return len(rules)


def main():
    known = defined_metrics() | PENDING | {"up"}
    failures = []
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "grafana", "dashboards", "*.json"))):
        panels, expressions = check_dashboard(path, known, failures)
        print(f"{os.path.relpath(path, ROOT)}: {panels} panels, {expressions} queries")
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "prometheus", "alerts.yml"))):
        print(f"{os.path.relpath(path, ROOT)}: {check_rules(path, known, failures)} alerts")
    if failures:
        print("\n".join(failures))
        raise SystemExit(f"check_dashboards: {len(failures)} problem(s)")
    pending = sorted(PENDING - defined_metrics())
    print("dashboards and alerts name only exported metrics"
          + (f" (not exported yet, pending: {', '.join(pending)})" if pending else ""))


if __name__ == "__main__":
    main()
