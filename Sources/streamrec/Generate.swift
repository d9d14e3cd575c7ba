import ArgumentParser
import Evaluation
import Foundation
import Recommender
import Topology

/// `streamrec generate`: the performance workload as a file, for `replay`, `produce --file` and other tools.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the scale workload (uniform users, Zipf items, one category per item) as CSV lines.",
        discussion: """
            userId,itemId,categoryId,behavior,timestamp per line: view/click/favorite/cart/purchase at \
            80/12/3/3/2 %, event time spread evenly over --hours, at most --max-disorder-ms out of order. The \
            same seed writes the same file.
            """)

    @Option(help: "Events to write.") var events = 1_000_000
    @Option(help: "Users (uniform).") var users = 100_000
    @Option(help: "Items (Zipf popularity, s = 1).") var items = 50_000
    @Option(help: "Categories (item i<n> is in c<n % categories>).") var categories = 500
    @Option(help: "Hours of event time the events span.") var hours = 2.0
    @Option(help: "Largest disorder of event time, milliseconds.") var maxDisorderMs: Int64 = 5_000
    @Option(help: "Seed of the generator.") var seed: UInt64 = 7
    @Option(help: "File to write, - for standard output.") var output = "-"

    func validate() throws {
        guard events > 0, users > 0, items > 0, categories > 0 else {
            throw ValidationError("--events, --users, --items and --categories must be positive")
        }
        guard hours >= 0, maxDisorderMs >= 0 else { throw ValidationError("--hours and --max-disorder-ms ≥ 0") }
    }

    func run() throws {
        var workload = ScaleWorkload(
            seed: seed, events: events, users: users, items: items, categories: categories,
            duration: Int64(hours * 3_600_000), maxDisorder: maxDisorderMs)
        let handle: FileHandle
        if output == "-" {
            handle = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: output, contents: nil),
                let opened = FileHandle(forWritingAtPath: output)
            else { throw ValidationError("cannot create --output \(output)") }
            handle = opened
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        while let event = workload.next() {
            buffer += EventCodec.encodeCSV(event)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        if output != "-" { try handle.close() }
    }
}
