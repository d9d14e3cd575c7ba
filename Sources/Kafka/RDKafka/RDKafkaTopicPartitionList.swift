import CRdKafka
import StreamEngine

/// Converts between Swift partition lists and `rd_kafka_topic_partition_list_t`.
enum RDKafkaTopicPartitionList {
    /// Builds a C list, hands it to `body`, and frees it afterwards.
    static func with<T>(
        _ offsets: [TopicPartitionOffset],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> T
    ) throws(KafkaError) -> T {
        let list = rd_kafka_topic_partition_list_new(Int32(max(offsets.count, 1)))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in offsets {
            let element = rd_kafka_topic_partition_list_add(
                list, entry.topicPartition.topic, entry.topicPartition.partition)!
            element.pointee.offset = entry.offset
        }
        return try body(list)
    }

    static func with<T>(
        _ partitions: [TopicPartition],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> T
    ) throws(KafkaError) -> T {
        try with(partitions.map { TopicPartitionOffset($0, offset: TopicPartitionOffset.invalid) }, body)
    }

    static func offsets(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartitionOffset] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return TopicPartitionOffset(
                topic: String(cString: element.topic), partition: element.partition, offset: element.offset)
        }
    }

    /// The first per-partition error in a list that librdkafka filled in (e.g. after a commit).
    /// The first partition's error, leaving out `accepted` ones (an asynchronous seek marks each partition
    /// `_IN_PROGRESS`: started, not failed).
    static func firstError(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>, while operation: String,
        accepting accepted: rd_kafka_resp_err_t = RD_KAFKA_RESP_ERR_NO_ERROR
    ) -> KafkaError? {
        for index in 0..<Int(list.pointee.cnt)
        where ![RD_KAFKA_RESP_ERR_NO_ERROR, accepted].contains(list.pointee.elems[index].err) {
            let element = list.pointee.elems[index]
            return KafkaError(
                element.err, while: "\(operation) \(String(cString: element.topic))[\(element.partition)]")
        }
        return nil
    }
}
