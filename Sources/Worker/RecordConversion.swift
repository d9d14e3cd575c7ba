import Kafka
import StreamEngine

/// The only place where Kafka's record types meet the engine's.
extension StreamRecord {
    init(_ message: KafkaMessage) {
        self.init(
            topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
            value: message.value, timestamp: message.timestamp,
            headers: message.headers.map { RecordHeader(name: $0.name, value: $0.value) })
    }
}

extension ProducerRecord {
    init(_ output: OutputRecord) {
        self.init(
            topic: output.topic, key: output.key, value: output.value, timestamp: output.timestamp,
            headers: output.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }
}
