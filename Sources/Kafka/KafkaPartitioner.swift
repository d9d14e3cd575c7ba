import CRdKafka

/// librdkafka's own partitioners, for checking that StreamRec routes keys exactly as a Kafka producer does.
public enum KafkaPartitioner {
    /// `rd_kafka_msg_partitioner_murmur2`: the Java-compatible partition of a (non-empty) key.
    public static func murmur2Partition(for key: [UInt8], partitionCount: Int32) -> Int32 {
        key.withUnsafeBytes { bytes in
            rd_kafka_msg_partitioner_murmur2(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        }
    }
}
