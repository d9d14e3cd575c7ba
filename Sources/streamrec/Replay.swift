import ArgumentParser
import Foundation
import Kafka
import Recommender
import StreamEngine
import Topology

/// `streamrec replay`: the same tasks as `run`, driven by a file instead of Kafka — a backfill tool.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the pipeline over a file of events (no broker) and write every output topic as JSON lines.",
        discussion: """
            Records go to the user tasks by the file's line order into --partitions partitions (by userId with \
            Kafka's murmur2, as a producer keyed by userId would), the item shuffle, item table and training stay \
            in process, on --lanes threads as `run` pins partitions. Writes DIR/<topic>.jsonl for user-features, \
            item-features, recommendations, the dead letters and late events — for backfills, offline evaluation \
            and benchmarks. Takes every pipeline and recommender flag `run` takes. At the end of the file every \
            open window is closed, as Flink's final watermark does (--keep-windows-open to leave them open). With \
            one lane the outputs are in a deterministic order; with more, each topic's lines interleave by lane.
            """)

    @Option(help: "Events file: JSON lines or CSV (userId,itemId,categoryId,behavior,timestamp in ms).")
    var input: String
    @Option(help: "Directory for <topic>.jsonl outputs (created if missing).") var output: String
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup(title: "Recommender") var recommender: RecommenderOptions
    @Option(help: "JSON file of settings, keys as the flags (as `run --config-file`).") var configFile: String?
    @Flag(help: "Also write the internal topics (item shuffle, item table, training).") var includeInternal = false
    @Flag(help: "Features only: user and item windows, no lists, pairs or training (a feature backfill).")
    var featuresOnly = false
    @Flag(help: "Leave the windows open at the end of the file (when a later replay or run continues the stream).")
    var keepWindowsOpen = false

    func run() async throws {
        let sources = try await ConfigurationSources.load(file: configFile)
        let options = try pipeline.workerOptions(
            kafka: KafkaConfiguration(bootstrapServers: ""), recommender: recommender, sources: sources)
        var settings = options.pipeline
        settings.emitsLists = !featuresOnly
        let topics = settings.topics
        let internalTopics: Set<String> =
            includeInternal ? [] : [topics.itemShuffle, topics.itemTable, topics.training]
        let files = try TopicFiles(directory: output, skipping: internalTopics)
        let reader = try LineReader(path: input)
        var sequencer = InputSequencer(topic: options.topics.input, partitions: settings.shufflePartitions)
        var lines = 0
        var batch: [StreamRecord] = []
        let counters: PipelineCounters
        if options.lanes == 1 {
            var runner = LocalRunner(settings: settings)
            let sink: (OutputRecord) -> Void = { files.append($0) }
            while let line = reader.next() {
                lines += 1
                guard !line.isEmpty else { continue }
                runner.process(sequencer.record(key: Self.userKey(of: line), value: line), sink: sink)
            }
            if !keepWindowsOpen { runner.finish(sequencer.ends, sink: sink) }
            counters = runner.pipeline.counters
        } else {
            let runner = ParallelLocalRunner(settings: settings, lanes: options.lanes) { files.append($0) }
            defer { runner.stop() }
            let maxQueued = options.maxQueuedPerLane * options.lanes
            while let line = reader.next() {
                lines += 1
                guard !line.isEmpty else { continue }
                batch.append(sequencer.record(key: Self.userKey(of: line), value: line))
                guard batch.count == 1_000 else { continue }
                runner.submit(batch)
                batch.removeAll(keepingCapacity: true)
                // Backpressure, as the worker pauses partitions: the file is read no faster than the lanes work.
                while runner.queuedRecords > maxQueued { runner.waitUntilIdle() }
            }
            runner.submit(batch)
            runner.waitUntilIdle()
            if !keepWindowsOpen { runner.finish(sequencer.ends) }
            counters = runner.counters
        }
        try files.close()
        print(
            "replayed \(lines) lines: \(counters.eventsProcessed) events, \(counters.featuresEmitted) user windows, "
                + "\(counters.itemFeaturesEmitted) item windows, \(counters.recommendationsEmitted) lists, "
                + "\(counters.deadLettered) dead letters, \(counters.late) late → \(output)")
    }

    /// The userId of a line, as the Kafka key a producer would give it. A CSV line's first field is taken as it is
    /// when it is plainly an id (no quotes, no spaces: what the CSV decoder would read the same); anything else is
    /// decoded. Lines that do not decode keep their bytes as the key (they go to the dead-letter output either way).
    static func userKey(of line: [UInt8]) -> [UInt8] {
        if let comma = line.firstIndex(of: UInt8(ascii: ",")), comma > 0,
            line[..<comma].allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "{") })
        {
            return Array(line[..<comma])
        }
        return (try? EventCodec.decode(line, format: .auto)).map { Array($0.userId.utf8) } ?? line
    }
}

/// `DIR/<topic>.jsonl` per output topic, one record value a line; appended to from any lane's thread, written in
/// 1 MiB pieces. Bound: one buffer of at most 1 MiB plus one record per topic.
final class TopicFiles: Sendable {
    private struct Files {
        var handles: [String: FileHandle] = [:]
        var buffers: [String: [UInt8]] = [:]
        var failure: String?
    }

    private let directory: String
    private let skipping: Set<String>
    private let files = Locked(Files())
    static let flushBytes = 1 << 20

    init(directory: String, skipping: Set<String>) throws {
        self.directory = directory
        self.skipping = skipping
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func append(_ record: OutputRecord) {
        guard !skipping.contains(record.topic) else { return }
        files.withLock { files in
            // One lookup of the topic's buffer, appended in place: three String-keyed lookups per output were
            // a visible part of a features-only replay (~0.9 outputs per event, each under the lock lanes share).
            let full = Self.appendLine(record.value, to: &files.buffers[record.topic, default: []])
            if full { write(record.topic, &files) }
        }
    }

    private static func appendLine(_ value: [UInt8]?, to buffer: inout [UInt8]) -> Bool {
        if let value { buffer += value }
        buffer.append(UInt8(ascii: "\n"))
        return buffer.count >= flushBytes
    }

    /// Writes what is buffered and closes the files; throws the first write error.
    func close() throws {
        let failure = files.withLock { files -> String? in
            for topic in files.buffers.keys.sorted() { write(topic, &files) }
            for handle in files.handles.values { try? handle.close() }
            return files.failure
        }
        if let failure { throw ValidationError(failure) }
    }

    private func write(_ topic: String, _ files: inout Files) {
        // Taken out of the dictionary while written, so the buffer stays uniquely referenced and is emptied in
        // place, keeping its capacity (a copy left in the dictionary made the emptying allocate a new 1 MiB).
        guard var bytes = files.buffers.removeValue(forKey: topic) else { return }
        defer {
            bytes.removeAll(keepingCapacity: true)
            files.buffers[topic] = bytes
        }
        guard !bytes.isEmpty, files.failure == nil else { return }
        do {
            if files.handles[topic] == nil {
                let path = (directory as NSString).appendingPathComponent("\(topic).jsonl")
                guard FileManager.default.createFile(atPath: path, contents: nil),
                    let handle = FileHandle(forWritingAtPath: path)
                else { throw ValidationError("cannot create \(path)") }
                files.handles[topic] = handle
            }
            try files.handles[topic]!.write(contentsOf: bytes)
        } catch {
            files.failure = "writing \(topic).jsonl in \(directory): \(error)"
        }
    }
}
