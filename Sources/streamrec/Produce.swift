import ArgumentParser
import Evaluation
import Foundation
import Kafka
import Recommender
import Topology
import Worker

/// `streamrec produce`: send events from a file or the generator to a topic.
struct Produce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send behavior events from a JSON-lines or CSV file, or from the synthetic generator, to a topic.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, csv, taobao, auto
        var eventFormat: EventFormat {
            switch self {
            case .json: .json
            case .csv: .csv
            case .taobao: .taobaoCSV
            case .auto: .auto
            }
        }
    }

    @OptionGroup var kafka: KafkaOptions
    @Option(help: "Topic to write to.") var topic = "user-behavior"
    @Option(help: "File of events, one per line (JSON or CSV; '-' reads standard input).") var file: String?
    @Option(help: "Format of --file: json, csv (ms), taobao (UserBehavior CSV, seconds) or auto.")
    var format: Format = .auto
    @Flag(help: "Generate synthetic events instead of reading a file.") var generate = false
    @Option(help: "Events to generate (0: until interrupted).") var count = 100_000
    @Option(help: "Events per second (0: as fast as possible).") var rate: Double = 0
    @Option(help: "Generator seed.") var seed: UInt64 = 42
    @Option(help: "Users, items and categories of the generator.") var users = 10_000
    @Option var items = 50_000
    @Option var categories = 100
    @Option(help: "Event time of the first generated event, epoch ms (default: now); fixed, two runs get equal input.")
    var startTime: Int64?
    @Option(help: "Generated events per second of event time (default: --rate, or 1000 when --rate is 0).")
    var eventTimeRate: Double?

    func validate() throws {
        guard (file != nil) != generate else { throw ValidationError("give exactly one of --file PATH or --generate") }
        guard rate >= 0, count >= 0 else { throw ValidationError("--rate and --count cannot be negative") }
        if let eventTimeRate, !(eventTimeRate > 0 && eventTimeRate.isFinite) {
            throw ValidationError("--event-time-rate must be a positive number of events per second")
        }
    }

    func run() throws {
        let producer = try KafkaProducer(configuration: try kafka.configuration())
        let publisher = EventPublisher(producer: producer, topic: topic)
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let progress = ProgressLine(total: generate && count > 0 ? count : nil)
        let pacer = RatePacer(perSecond: rate)
        var sent = 0
        var skipped: [(line: Int, reason: String)] = []
        if generate {
            var generator = SyntheticEventGenerator(
                seed: seed, users: users, items: items, categories: categories,
                startTime: startTime ?? Int64(Date().timeIntervalSince1970 * 1_000),
                eventsPerSecond: eventTimeRate ?? (rate > 0 ? rate : 1_000))
            while !stop.isStopped, count == 0 || sent < count {
                pacer.wait(forItem: sent)
                try publisher.publish(generator.next())
                sent += 1
                if sent % 1_000 == 0 { producer.poll(); progress.update(sent) }
            }
        } else if let file {
            let reader = try LineReader(path: file)
            var lineNumber = 0
            while !stop.isStopped, let line = reader.next() {
                lineNumber += 1
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                do {
                    let event = try EventCodec.decode(line, format: format.eventFormat)
                    pacer.wait(forItem: sent)
                    try publisher.publish(event)
                    sent += 1
                    if sent % 1_000 == 0 { producer.poll(); progress.update(sent) }
                } catch let error as EventDecodingError {
                    skipped.append((lineNumber, error.description))
                }
            }
        }
        try producer.flush()
        progress.finish(sent)
        if let first = skipped.first {
            FileHandle.standardError.write(
                Data("skipped \(skipped.count) invalid line(s); first: line \(first.line): \(first.reason)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Reads a file (or standard input) line by line as bytes.
final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false

    init(path: String) throws {
        if path == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw ValidationError("cannot open --file \(path): no such readable file")
            }
            handle = opened
        }
    }

    func next() -> [UInt8]? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[position..<newline])
                position = newline + 1
                return line
            }
            if atEnd {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                return line
            }
            buffer.removeFirst(position)
            position = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// A one-line progress display on standard error.
struct ProgressLine {
    let total: Int?
    let start = ContinuousClock.now

    func update(_ done: Int) {
        let seconds = max(0.001, (ContinuousClock.now - start).inSeconds)
        var line = "\r\(done) events, \(Int(Double(done) / seconds))/s"
        if let total, total > 0 {
            let width = 30
            let filled = min(width, done * width / total)
            line += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish(_ done: Int) {
        update(done)
        FileHandle.standardError.write(Data("\nsent \(done) events\n".utf8))
    }
}
