import Foundation
import Kafka
import Logging
import Serving
import StreamEngine

/// Tells the other instances which input partitions this one serves over HTTP, on the compacted instances topic.
/// Its own plain producer: an announcement must not wait for (or be aborted with) an exactly-once checkpoint.
final class InstanceAnnouncer: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let address: String
    private let logger: Logger

    init(kafka: KafkaConfiguration, topic: String, address: String, logger: Logger) throws(KafkaError) {
        var configuration = kafka
        configuration.transactionalID = nil
        producer = try KafkaProducer(
            configuration: configuration, logger: logger,
            onError: { logger.warning("instance announcer: \($0)") })
        self.topic = topic
        self.address = address
        self.logger = logger
    }

    /// Announces the partitions; a failure only delays routing to this instance (others answer 503 meanwhile).
    func announce(partitions: [Int32]) {
        let announcement = InstanceAnnouncement(
            instance: address, partitions: partitions, at: Int64(Date().timeIntervalSince1970 * 1_000))
        do throws(KafkaError) {
            try producer.send(
                OutputRecord(topic: topic, key: Array(address.utf8), value: announcement.encodeJSON()))
            producer.poll()
        } catch {
            logger.warning("announcing partitions \(partitions) on \(topic): \(error)")
        }
    }

    func close() {
        do throws(KafkaError) { try producer.flush(timeoutMilliseconds: 5_000) } catch {
            logger.warning("instance announcer: \(error)")
        }
    }
}
