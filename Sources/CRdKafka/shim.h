// The C API of Debian's librdkafka, exposed to Swift. Only Sources/Kafka imports this module.
#pragma once
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// One error for the next request of a kind on one broker: the variadic push is not callable from Swift.
static inline rd_kafka_resp_err_t streamrec_mock_broker_push_request_error(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t api_key, rd_kafka_resp_err_t err) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, 0);
}
