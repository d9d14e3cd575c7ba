import Foundation
import Kafka
import Logging
import Recommender
import StreamEngine

/// Reads the compacted item table topic, all partitions, into the local `ItemTable` — every instance holds the
/// whole table, like a Kafka Streams GlobalKTable. Its consumer group is private to this instance, so each instance
/// reads every partition.
final class ItemTableReader: Sendable {
    private let job: BackgroundJob
    private let stop = StopSignal()

    init(kafka: KafkaConfiguration, topic: String, table: ItemTable, logger: Logger) throws(KafkaError) {
        var configuration = kafka
        configuration.groupID = "\(kafka.groupID ?? "streamrec")-table-\(UUID().uuidString)"
        configuration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(
            configuration: configuration, logger: logger, onError: { logger.warning("item table: \($0)") })
        try consumer.subscribe([topic])
        job = BackgroundJob(name: "item-table") { [stop] in
            while !stop.isStopped {
                for record in consumer.pollBatch(timeoutMilliseconds: 100) {
                    if let value = record.value, let row = ItemTableRow.decode(value) { table.apply(row) }
                }
            }
            try consumer.close()
        }
    }

    func close() throws {
        stop.stop()
        try job.join()
    }
}
