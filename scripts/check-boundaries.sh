#!/usr/bin/env bash
# librdkafka is wrapped once: its C API (`rd_kafka_*`, the CRdKafka module) is used only in Sources/Kafka/RDKafka/
# (the Swift wrappers) and Sources/CRdKafka/ (the module map and shim). The public Kafka types call the wrappers, and
# every other module and every test goes through the public types.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in Sources Tests; do
    [ -d "$dir" ] || { echo "check-boundaries: $dir/ is missing" >&2; exit 1; }
done
# grep exits 1 when nothing matches (fine) and 2 on an error (not fine).
matches=$(grep -rnIE 'rd_kafka_|import([[:space:]]+[a-z]+)?[[:space:]]+CRdKafka' Sources Tests) || [ $? -eq 1 ]
offenders=$(printf '%s\n' "$matches" | grep -vE '^Sources/(Kafka/RDKafka|CRdKafka)/' | grep -v '^$' || true)
if [ -n "$offenders" ]; then
    echo "check-boundaries: librdkafka used outside Sources/Kafka/RDKafka and Sources/CRdKafka (wrap the call in" \
        "Sources/Kafka/RDKafka and call the wrapper):"
    echo "$offenders"
    exit 1
fi
echo "check-boundaries: librdkafka is called only from Sources/Kafka/RDKafka and Sources/CRdKafka"
