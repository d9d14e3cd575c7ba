#!/usr/bin/env bash
# librdkafka is wrapped once: no rd_kafka_ call outside Sources/Kafka and Sources/CRdKafka.
set -euo pipefail
cd "$(dirname "$0")/.."
if offenders=$(grep -rn 'rd_kafka_' Sources Tests | grep -v -E '^Sources/(Kafka|CRdKafka)/'); then
    echo "rd_kafka_ used outside Sources/Kafka (wrap it there instead):"
    echo "$offenders"
    exit 1
fi
echo "boundaries: librdkafka is called only from Sources/Kafka"
