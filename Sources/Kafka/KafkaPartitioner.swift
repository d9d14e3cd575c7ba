/// librdkafka's own partitioners, for checking that StreamRec routes keys exactly as a Kafka producer does.
public enum KafkaPartitioner {
    /// librdkafka's murmur2 partitioner: the Java-compatible partition of a (non-empty) key.
    public static func murmur2Partition(for key: [UInt8], partitionCount: Int32) -> Int32 {
        RDKafkaPartitioner.murmur2(key, partitionCount: partitionCount)
    }
}
