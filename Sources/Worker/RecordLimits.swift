import Kafka
import Recommender
import Topology

/// The start-up check that a dead letter always fits the producer: a copy of a bad record is at most
/// `--max-record-bytes` plus `OutputHeaders.deadLetterOverhead`, and it must be below the producer's
/// `message.max.bytes`, or the one record the worker must set aside would be the one it cannot write.
enum RecordLimits {
    static func check(_ options: WorkerOptions) throws(SettingsError) {
        let maxRecord = options.pipeline.maxRecordBytes
        let overhead = OutputHeaders.deadLetterOverhead
        let producerLimit = options.kafka.producerMessageMaxBytes
        guard maxRecord + overhead > producerLimit else { return }
        throw SettingsError(
            "max-record-bytes \(maxRecord) plus \(overhead) bytes of dead-letter headers and framing exceeds the "
                + "producer's message.max.bytes \(producerLimit), so a record at the limit could not be copied to "
                + "the dead-letter topic: lower --max-record-bytes to at most \(producerLimit - overhead), or raise "
                + "message.max.bytes (--config message.max.bytes=\(maxRecord + overhead)) and the topics' "
                + "max.message.bytes with it")
    }
}
