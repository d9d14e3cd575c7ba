import ArgumentParser
import Foundation
import Recommender
import StreamEngine

/// `streamrec replay`: the same tasks as `run`, driven by a file instead of Kafka.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the pipeline over a file of events (no broker) and write every output topic as JSON lines.",
        discussion: """
            Records go to the user tasks by the file's line order into --partitions partitions (by userId with \
            Kafka's murmur2, as a producer keyed by userId would), the item shuffle and item table stay in process. \
            Writes DIR/<topic>.jsonl for user-features, item-features, recommendations, the dead letters and late \
            events — for backfills, offline evaluation and benchmarks.
            """)

    @Option(help: "Events file: JSON lines or CSV (userId,itemId,categoryId,behavior,timestamp in ms).")
    var input: String
    @Option(help: "Directory for <topic>.jsonl outputs (created if missing).") var output: String
    @Option(help: "Input partitions to spread users over, as the Kafka topic would.") var partitions: Int32 = 4
    @Flag(help: "Also write the internal topics (item shuffle, item table).") var includeInternal = false

    func validate() throws {
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
    }

    func run() throws {
        var settings = PipelineSettings()
        settings.shufflePartitions = partitions
        var runner = LocalRunner(settings: settings)
        let internalTopics: Set<String> = [settings.topics.itemShuffle, settings.topics.itemTable]
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var files: [String: FileHandle] = [:]
        var buffers: [String: [UInt8]] = [:]
        defer { files.values.forEach { try? $0.close() } }
        func flush(_ topic: String) throws {
            guard let bytes = buffers[topic], !bytes.isEmpty else { return }
            if files[topic] == nil {
                let path = (output as NSString).appendingPathComponent("\(topic).jsonl")
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                files[topic] = FileHandle(forWritingAtPath: path)
            }
            try files[topic]!.write(contentsOf: bytes)
            buffers[topic] = []
        }
        let reader = try LineReader(path: input)
        var sequencer = InputSequencer(partitions: partitions)
        var lines = 0
        while let line = reader.next() {
            lines += 1
            if line.isEmpty { continue }
            let record = sequencer.record(key: userKey(of: line), value: line)
            runner.process(record) { outputRecord in
                guard includeInternal || !internalTopics.contains(outputRecord.topic) else { return }
                buffers[outputRecord.topic, default: []] += outputRecord.value ?? []
                buffers[outputRecord.topic, default: []].append(UInt8(ascii: "\n"))
            }
            if lines % 10_000 == 0 { try buffers.keys.forEach(flush) }
        }
        try buffers.keys.forEach(flush)
        let counters = runner.pipeline.counters
        print(
            "replayed \(lines) lines: \(counters.eventsProcessed) events, \(counters.featuresEmitted) user windows, "
                + "\(counters.itemFeaturesEmitted) item windows, \(counters.recommendationsEmitted) lists, "
                + "\(counters.deadLettered) dead letters, \(counters.late) late → \(output)")
    }

    /// The userId of a line, as the Kafka key a producer would give it; lines that do not decode keep their bytes
    /// as the key (they go to the dead-letter output either way).
    private func userKey(of line: [UInt8]) -> [UInt8] {
        (try? EventCodec.decode(line, format: .auto)).map { Array($0.userId.utf8) } ?? line
    }
}
