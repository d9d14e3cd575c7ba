import ArgumentParser
import Foundation
import Logging
import StreamEngine
import Worker

/// `streamrec state`: what the changelog holds for each task, as a restore would see it.
struct State: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each task's last complete checkpoint: input offset, keys, and a digest per key.",
        discussion: """
            One JSON object per task and line: the task's input partition, its checkpoint id, the input offset \
            it resumes at, and every state key with an FNV-1a digest of its checkpointed value — enough to compare \
            the state of two deployments, or to see what a restarted instance will start from.
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup(title: "Recommender") var recommender: RecommenderOptions

    func run() throws {
        let sources = ConfigurationSources()
        let options = try pipeline.workerOptions(
            kafka: try kafka.configuration(sources), recommender: recommender, sources: sources)
        var logger = Logger(label: "streamrec.state")
        logger.logLevel = .warning
        let checkpoints = try ChangelogRestore.checkpoints(of: options, logger: logger)
        for (task, restored) in checkpoints.sorted(by: { $0.key < $1.key }) {
            var digests: [String: String] = [:]
            for (key, value) in restored.entries {
                digests[String(decoding: key, as: UTF8.self)] = String(Self.fnv1a(value), radix: 16)
            }
            let line: [String: Any] = [
                "topic": task.topic, "partition": task.partition, "checkpoint": restored.marker.id,
                "nextOffset": restored.marker.nextOffset, "keys": digests,
            ]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
