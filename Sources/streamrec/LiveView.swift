import Foundation
import StreamEngine
import Synchronization
import Worker

/// The demo's screen: a few users' latest interactions and the list each one caused. Fed from the worker's output
/// observer on the worker thread, drawn from the main thread.
final class LiveView: Sendable {
    struct Watched {
        var triggers: [String] = []  // bound: the last 5
        var items: [(itemId: String, score: Double, reason: String)] = []
    }

    private let watchCount: Int
    private let watched = Mutex<[(user: String, state: Watched)]>([])
    private let producedEvents = Atomic<Int>(0)

    init(watching count: Int) {
        watchCount = count
    }

    var producedCount: Int { producedEvents.load(ordering: .relaxed) }

    func produced(_ count: Int) { producedEvents.store(count, ordering: .relaxed) }

    func observe(_ record: OutputRecord) {
        guard record.topic == "recommendations", let key = record.key else { return }
        let user = String(decoding: key, as: UTF8.self)
        let admit = watched.withLock { list in
            list.contains { $0.user == user } || list.count < watchCount
        }
        guard admit, let value = record.value,
            let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
            let trigger = json["trigger"] as? [String: Any], let list = json["items"] as? [[String: Any]]
        else { return }
        let triggerText = "\(trigger["behavior"] ?? "?") \(trigger["itemId"] ?? "?")"
        let items = list.prefix(5).map { entry in
            (
                itemId: entry["itemId"] as? String ?? "?", score: (entry["score"] as? NSNumber)?.doubleValue ?? 0,
                reason: entry["reason"] as? String ?? ""
            )
        }
        watched.withLock { list in
            if let index = list.firstIndex(where: { $0.user == user }) {
                list[index].state.triggers = Array((list[index].state.triggers + [triggerText]).suffix(5))
                list[index].state.items = items
            } else if list.count < watchCount {
                list.append((user, Watched(triggers: [triggerText], items: items)))
            }
        }
    }

    func render(statistics: WorkerStatistics, eventsPerSecond: Double, elapsed: Double, plain: Bool) -> String {
        var lines: [String] = []
        lines.append(
            "[\(Int(elapsed)) s] \(Int(eventsPerSecond)) events/s · consumed \(statistics.recordsConsumed) · "
                + "lists \(statistics.pipeline.recommendationsEmitted) · feature windows "
                + "\(statistics.pipeline.featuresEmitted) · dead letters \(statistics.pipeline.deadLettered) · "
                + "late \(statistics.pipeline.late)")
        lines.append(
            "    item windows \(statistics.pipeline.itemFeaturesEmitted) · users \(statistics.users) · items "
                + "\(statistics.items) (table \(statistics.tableItems)) · partitions \(statistics.assignedPartitions) "
                + "· queued \(statistics.queuedRecords) · commits \(statistics.commits)")
        for (user, state) in watched.withLock({ $0 }) {
            lines.append("  \(user)  recent: \(state.triggers.joined(separator: " → "))")
            for (rank, item) in state.items.enumerated() {
                lines.append(
                    "      \(rank + 1). \(item.itemId)  \(String(format: "%.2f", item.score))  \(item.reason)")
            }
        }
        let block = lines.joined(separator: "\n")
        return plain ? block + "\n" : "\u{1B}[2J\u{1B}[H" + block
    }
}
