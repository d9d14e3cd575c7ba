#!/usr/bin/env bash
# librdkafka is wrapped once: no rd_kafka_ anywhere in Sources/ or Tests/ outside Sources/Kafka and Sources/CRdKafka.
# Tests (Tests/KafkaTests included) go through the Swift wrapper too.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in Sources Tests; do
    [ -d "$dir" ] || { echo "check-boundaries: $dir/ is missing" >&2; exit 1; }
done
# grep exits 1 when nothing matches (fine) and 2 on an error (not fine).
matches=$(grep -rnI 'rd_kafka_' Sources Tests) || [ $? -eq 1 ]
offenders=$(printf '%s\n' "$matches" | grep -vE '^Sources/(Kafka|CRdKafka)/' | grep -v '^$' || true)
if [ -n "$offenders" ]; then
    echo "check-boundaries: rd_kafka_ used outside Sources/Kafka and Sources/CRdKafka (wrap it in Sources/Kafka):"
    echo "$offenders"
    exit 1
fi
echo "check-boundaries: librdkafka is called only from Sources/Kafka and Sources/CRdKafka"
