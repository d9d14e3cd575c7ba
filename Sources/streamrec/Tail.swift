import ArgumentParser
import Foundation
import Kafka
import StreamEngine
import Worker

/// `streamrec tail`: print records of any topic.
struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the records of a topic as they arrive.")

    @OptionGroup var kafka: KafkaOptions
    @Option(help: "Topic to read.") var topic = "recommendations"
    @Flag(help: "Start at the oldest record instead of new ones.") var fromBeginning = false
    @Option(help: "Stop after this many records (0: until interrupted).") var max = 0
    @Option(help: "Stop after this many seconds without a record (0: never).") var idleTimeout: Double = 0
    @Flag(help: "Show headers.") var headers = false

    func run() throws {
        var configuration = try kafka.configuration()
        // A private group: tail never moves the offsets of a real consumer group.
        configuration.groupID =
            "streamrec-tail-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        configuration.autoOffsetReset = fromBeginning ? .earliest : .latest
        configuration.isolationLevel = .readCommitted
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe([topic])
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        var printed = 0
        var lastRecord = ContinuousClock.now
        while !stop.isStopped, max == 0 || printed < max {
            for message in consumer.pollBatch(timeoutMilliseconds: 200) where max == 0 || printed < max {
                print(format(message))
                printed += 1
                lastRecord = .now
            }
            if idleTimeout > 0, ContinuousClock.now - lastRecord > .seconds(idleTimeout) { break }
        }
        try consumer.close()
    }

    private func format(_ message: StreamRecord) -> String {
        let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        let value = message.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        var line = "\(message.topic)[\(message.partition)]@\(message.offset) \(key)\t\(value)"
        if headers, !message.headers.isEmpty {
            let shown = message.headers.map {
                "\($0.name)=\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "null")"
            }
            line += "\t{" + shown.joined(separator: ", ") + "}"
        }
        return line
    }
}
