#!/usr/bin/env bash
# Validates the deployment files offline with real tools (no Docker engine or cluster needed):
#   - docker-compose.yml against the Compose Specification schema (check-jsonschema's vendored copy),
#   - the Kubernetes manifests against the Kubernetes OpenAPI schemas (kubernetes-validate, strict),
#   - the kustomization renders (kubectl kustomize),
#   - every YAML file lints (yamllint).
# Exits non-zero on the first invalid file. Tools come from `make tools` (PyPI) and kubectl when present.
set -euo pipefail
cd "$(dirname "$0")/.."
compose=${COMPOSE_FILE:-docker-compose.yml}
k8s=${K8S_DIR:-deploy/k8s}

echo "compose: $compose against the Compose Specification"
check-jsonschema --builtin-schema vendor.compose-spec "$compose"

echo "kubernetes: $k8s/*.yaml against the Kubernetes 1.30 schemas"
manifests=()
for file in "$k8s"/*.yaml; do
    [ "$(basename "$file")" = kustomization.yaml ] || manifests+=("$file")
done
kubernetes-validate --strict --kubernetes-version 1.30.0 "${manifests[@]}"

if command -v kubectl > /dev/null; then
    echo "kustomize: $k8s renders"
    kubectl kustomize "$k8s" > /dev/null
else
    echo "kustomize: kubectl not installed, skipped"
fi

echo "yamllint"
yamllint -d '{extends: relaxed, rules: {line-length: {max: 130}}}' "$compose" deploy

echo "deploy files are valid"
