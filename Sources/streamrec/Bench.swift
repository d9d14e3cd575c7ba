import ArgumentParser
import Foundation
import Recommender
import StreamEngine
import Worker

/// `streamrec bench`: how fast the pipeline runs on this machine, against a baseline measured in the same process.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the pipeline without a broker: decode-only baseline vs. the full per-event pipeline.")

    @Option(help: "Events to process.") var events = 500_000
    @Option(help: "Users, items and categories of the generated events.") var users = 100_000
    @Option var items = 50_000
    @Option var categories = 100

    func run() throws {
        var generator = SyntheticEventGenerator(
            seed: 3, users: users, items: items, categories: categories, eventsPerSecond: 1_000)
        let records = (0..<events).map { index in
            let event = generator.next()
            return StreamRecord(
                topic: "user-behavior", partition: Int32(index % 4), offset: Int64(index / 4),
                key: Array(event.userId.utf8), value: EventCodec.encodeJSON(event))
        }

        var decoded = 0
        let decodeTime = ContinuousClock().measure {
            for record in records where (try? EventCodec.decode(record.value!, format: .auto)) != nil { decoded += 1 }
        }
        var runner = LocalRunner(settings: PipelineSettings())
        var produced = 0
        let pipelineTime = ContinuousClock().measure {
            for record in records { runner.process(record) { _ in produced += 1 } }
        }
        let decodeRate = Double(decoded) / decodeTime.inSeconds
        let pipelineRate = Double(events) / pipelineTime.inSeconds
        print("events                 \(events) (\(users) users, \(items) items, \(categories) categories)")
        print("decode only (baseline) \(Int(decodeRate)) events/s")
        print("full pipeline          \(Int(pipelineRate)) events/s, \(produced) outputs (incl. shuffle and table)")
        print("ratio pipeline/decode  \(String(format: "%.3f", pipelineRate / decodeRate))")
    }
}
