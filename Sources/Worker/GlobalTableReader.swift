import Foundation
import Kafka
import Logging
import Recommender
import Serving
import StreamEngine

/// Reads compacted topics, all partitions, into state every instance holds whole, like a Kafka Streams GlobalKTable:
/// the item table the item tasks publish and the app's `item-catalog` (attributes of items nobody has interacted with
/// yet) into the `ItemTable`, `recsys-models` into the `ModelRegistry`, and the instances topic into the
/// `InstanceDirectory`. Its consumer group is private to this instance, so it reads every
/// partition.
final class GlobalTableReader: Sendable {
    private let job: BackgroundJob
    private let stop = StopSignal()

    init(
        kafka: KafkaConfiguration, itemTable: String, catalog: String, models: String, instances: String,
        table: ItemTable, registry: ModelRegistry, directory: InstanceDirectory, logger: Logger
    ) throws(KafkaError) {
        var configuration = kafka
        configuration.groupID = "\(kafka.groupID ?? "streamrec")-table-\(UUID().uuidString)"
        configuration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(
            configuration: configuration, logger: logger, onError: { logger.warning("global table: \($0)") })
        try consumer.subscribe([itemTable, catalog, models, instances])
        job = BackgroundJob(name: "global-table") { [stop] in
            while !stop.isStopped {
                for record in consumer.pollBatch(timeoutMilliseconds: 100) {
                    if record.topic == instances {
                        directory.apply(key: record.key, value: record.value)
                        continue
                    }
                    if record.topic == models {
                        // A bad version is rejected with its reason; the active one stays.
                        if case .failure(let error) = registry.apply(key: record.key, value: record.value) {
                            logger.error("model registry rejected a record of \(models): \(error)")
                        } else if let key = record.key {
                            logger.info(
                                "model registry: \(String(decoding: key, as: UTF8.self)) applied",
                                metadata: ["active": "\(registry.selection.active?.version ?? "blend")"])
                        }
                        continue
                    }
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
