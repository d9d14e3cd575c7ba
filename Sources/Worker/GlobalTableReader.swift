import Foundation
import Kafka
import Logging
import Recommender
import StreamEngine

/// Reads compacted topics, all partitions, into the local `ItemTable` — every instance holds the whole table, like a
/// Kafka Streams GlobalKTable: the item table the item tasks publish, and the app's `item-catalog` (the category of
/// items nobody has interacted with yet). Its consumer group is private to this instance, so it reads every
/// partition.
final class GlobalTableReader: Sendable {
    private let job: BackgroundJob
    private let stop = StopSignal()

    init(kafka: KafkaConfiguration, itemTable: String, catalog: String, table: ItemTable, logger: Logger)
        throws(KafkaError)
    {
        var configuration = kafka
        configuration.groupID = "\(kafka.groupID ?? "streamrec")-table-\(UUID().uuidString)"
        configuration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(
            configuration: configuration, logger: logger, onError: { logger.warning("global table: \($0)") })
        try consumer.subscribe([itemTable, catalog])
        job = BackgroundJob(name: "global-table") { [stop] in
            while !stop.isStopped {
                for record in consumer.pollBatch(timeoutMilliseconds: 100) {
                    guard let value = record.value else { continue }  // tombstones: rows are never deleted here
                    let row =
                        record.topic == catalog
                        ? CatalogEntry.decode(value, key: record.key) : ItemTableRow.decode(value)
                    if let row { table.apply(row) }
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
