import CRdKafka

/// librdkafka's built-in partitioners, called directly (no handle or topic needed).
enum RDKafkaPartitioner {
    /// `rd_kafka_msg_partitioner_murmur2`: the Java-compatible partition of a (non-empty) key.
    static func murmur2(_ key: [UInt8], partitionCount: Int32) -> Int32 {
        key.withUnsafeBytes { bytes in
            rd_kafka_msg_partitioner_murmur2(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        }
    }
}
