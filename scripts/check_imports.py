#!/usr/bin/env python3
"""Every module a target's Swift files import is declared in Package.swift (issue 16): the package graph then says
what each module and suite depends on, and "the core does not know Kafka" is enforced by the graph, not by habit.
Reads `swift package dump-package`; the toolchain's own modules need no declaration.
Usage: check_imports.py [ROOT]"""
import json
import os
import re
import subprocess
import sys

TOOLCHAIN = {"Foundation", "FoundationEssentials", "Synchronization", "Dispatch", "Glibc", "Testing", "XCTest",
             "_Concurrency", "Darwin", "os", "FoundationNetworking"}
# A Swift import is the whole line (JavaScript in the console's string literals has `from "…"` after the name).
IMPORT = re.compile(
    r"^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:struct\s+|class\s+|enum\s+|func\s+)?([A-Za-z_]\w*)\s*(?://.*)?$",
    re.M)


def main(root: str) -> int:
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                        capture_output=True, text=True).stdout)
    problems = []
    for target in package["targets"]:
        if target["type"] == "system":
            continue
        declared = {target["name"]}
        for dependency in target["dependencies"]:
            kind, value = next(iter(dependency.items()))
            declared.add(value[0])
        folder = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", target["name"])
        for directory, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(directory, name)
                for module in set(IMPORT.findall(open(path, encoding="utf-8").read())):
                    if module not in declared and module not in TOOLCHAIN:
                        problems.append(f"{os.path.relpath(path, root)}: imports {module}, which target "
                                        f"{target['name']} does not declare in Package.swift")
    for problem in sorted(problems):
        print(problem)
    if problems:
        print(f"check-imports: {len(problems)} undeclared import(s): add them to the target's dependencies")
        return 1
    print(f"check-imports: every import of {len(package['targets'])} targets is declared in Package.swift")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
