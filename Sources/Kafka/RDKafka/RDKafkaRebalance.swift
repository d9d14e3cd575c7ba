import CRdKafka
import Logging
import StreamEngine

/// librdkafka's rebalance callback: the application's handler first, then librdkafka's (incremental) assign or
/// unassign, for the eager and the cooperative protocol alike.
enum RDKafkaRebalance {
    static func apply(
        _ code: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        on handle: OpaquePointer, handler: KafkaConsumer.RebalanceHandler, logger: Logger
    ) {
        // NULL once the group handler is terminating (a callback during the handle's destruction, seen in CI): its op
        // queue is closed, so an assign or unassign would wait forever for a reply (seen too). The application still
        // hears of the revocation; librdkafka drops the assignment itself.
        guard let protocolName = rd_kafka_rebalance_protocol(handle) else {
            if code != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
                _ = handler(.revoked(RDKafkaTopicPartitionList.offsets(partitions).map(\.topicPartition), lost: true))
            }
            logger.debug("rebalance callback while the group is terminating; nothing to apply")
            return
        }
        let cooperative = String(cString: protocolName) == "COOPERATIVE"
        let owned = RDKafkaTopicPartitionList.offsets(partitions).map(\.topicPartition)
        var failure: KafkaError?
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = Dictionary(
                handler(.assigned(owned)).map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { $1 })
            for index in 0..<Int(partitions.pointee.cnt) {
                let element = partitions.pointee.elems[index]
                let key = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                if let start = starts[key] { partitions.pointee.elems[index].offset = start }
            }
            failure =
                cooperative
                ? rd_kafka_incremental_assign(handle, partitions).map { KafkaError(consuming: $0, while: "assign") }
                : KafkaError(orNil: rd_kafka_assign(handle, partitions), while: "assign")
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            _ = handler(.revoked(owned, lost: rd_kafka_assignment_lost(handle) != 0))
            failure =
                cooperative
                ? rd_kafka_incremental_unassign(handle, partitions).map { KafkaError(consuming: $0, while: "unassign") }
                : KafkaError(orNil: rd_kafka_assign(handle, nil), while: "unassign")
        default:
            logger.error("rebalance failed: \(String(cString: rd_kafka_err2str(code))); dropping the assignment")
            _ = handler(.revoked(owned, lost: true))
            failure = KafkaError(orNil: rd_kafka_assign(handle, nil), while: "unassign")
        }
        if let failure { logger.error("applying the rebalance failed: \(failure)") }
    }
}
