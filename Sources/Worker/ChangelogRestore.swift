import Foundation
import Kafka
import Logging
import Recommender
import StreamEngine
import Topology

/// Reads tasks' changelog partitions back into `RestoredTask`s: the Kafka side of a restore.
public struct ChangelogRestore: Sendable {
    let reader: KafkaPartitionReader
    let settings: PipelineSettings
    let logger: Logger

    /// Reads the checkpoints of every task of a deployment (`streamrec state`), without joining its group.
    public static func checkpoints(of options: WorkerOptions, logger: Logger) throws(KafkaError)
        -> [TopicPartition: RestoredTask]
    {
        var configuration = options.kafka
        configuration.groupID = "\(options.kafka.groupID ?? "streamrec")-inspect"
        let settings = options.effectivePipeline
        let restore = ChangelogRestore(
            reader: try KafkaPartitionReader(configuration: configuration, logger: logger), settings: settings,
            logger: logger)
        let partitions =
            (0..<settings.shufflePartitions).flatMap { partition in
                [
                    TopicPartition(topic: options.topics.input, partition: partition),
                    TopicPartition(topic: settings.topics.itemShuffle, partition: partition),
                ]
            } + [OutputRoutes(settings).trainingInput]
        return try restore.restore(partitions)
    }

    func changelogPartition(of partition: TopicPartition) -> TopicPartition {
        TopicPartition(
            topic: settings.topics.changelog,
            partition: OutputRoutes(settings).changelogPartition(
                ofTaskReading: partition.topic, partition: partition.partition))
    }

    /// The last complete checkpoint of each task that has one.
    func restore(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: RestoredTask] {
        guard !partitions.isEmpty else { return [:] }
        let started = ContinuousClock.now
        let taskOf = Dictionary(uniqueKeysWithValues: partitions.map { (changelogPartition(of: $0).partition, $0) })
        var restorers = taskOf.mapValues { _ in ChangelogRestorer() }
        try reader.readAll(partitions.map(changelogPartition(of:))) { record in
            restorers[record.partition]?.apply(key: record.key, value: record.value, headers: record.headers)
        }
        var restored: [TopicPartition: RestoredTask] = [:]
        for (changelogPartition, restorer) in restorers {
            let task = taskOf[changelogPartition]!
            let read = restorer.recordsRead
            guard let result = restorer.finish() else { continue }
            restored[task] = result
            logger.info(
                "restored \(task) from its changelog",
                metadata: [
                    "keys": "\(result.entries.count)", "records": "\(read)", "checkpoint": "\(result.marker.id)",
                    "resumeAt": "\(result.marker.nextOffset)", "ignored": "\(result.ignoredRecords)",
                ])
        }
        let elapsed = ContinuousClock.now - started
        logger.info(
            "restore finished",
            metadata: [
                "tasks": "\(partitions.count)", "fromCheckpoint": "\(restored.count)",
                "milliseconds": "\(Int(elapsed.inSeconds * 1_000))",
            ])
        return restored
    }
}
