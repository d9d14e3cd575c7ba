import Foundation
import StreamEngine
import Synchronization
import Topology
import Worker

/// The demo's screen: a few users' latest interactions and every list they get (feed, cart, topics, creators, with
/// reasons), the latest "similar items" list, and the model versions ranking feeds. Fed from the worker's output
/// observer on the worker thread, drawn from the main thread.
final class LiveView: Sendable {
    struct Entry {
        var id: String
        var score: Double
        var reason: String
    }

    struct Watched {
        var triggers: [String] = []  // bound: the last 5
        /// Latest list per surface. Bound: one per surface.
        var lists: [String: (model: String, entries: [Entry])] = [:]
    }

    private let watchCount: Int
    private let watched = Mutex<[(user: String, state: Watched)]>([])
    /// The newest "similar" list with entries: its key and JSON.
    private let newestSimilar = Mutex<(key: [UInt8], value: [UInt8])?>(nil)
    /// Versions that ranked feeds, in order of first use. Bound: the last 5.
    private let models = Mutex<[String]>([])
    private let producedEvents = Atomic<Int>(0)

    init(watching count: Int) {
        watchCount = count
    }

    var producedCount: Int { producedEvents.load(ordering: .relaxed) }

    func produced(_ count: Int) { producedEvents.store(count, ordering: .relaxed) }

    /// The users on screen, in the order they were first seen (the console suggests them).
    var watchedUsers: [String] { watched.withLock { $0.map(\.user) } }

    /// Called for every output on the lanes' threads, so it parses only what the screen shows: the lists of the
    /// watched users, and the newest "similar" list (kept as bytes, parsed when a screen is drawn). Of any other
    /// user's feed it reads the model's name only. Parsing every list with Foundation's JSON was 15 % of the demo's
    /// CPU (`perf record -g` of `streamrec demo`).
    func observe(_ record: OutputRecord) {
        guard record.topic == "recommendations", let key = record.key,
            let surfaceHeader = record.headers.first(where: { $0.name == OutputHeaders.surface })?.value
        else { return }
        if surfaceHeader.elementsEqual("similar".utf8) {
            if let value = record.value, value.firstRange(of: Array(#""items":[]"#.utf8)) == nil {
                newestSimilar.withLock { $0 = (key, value) }
            }
            return
        }
        let subject = String(decoding: key, as: UTF8.self)
        let isFeed = surfaceHeader.elementsEqual("personalized".utf8)
        let watchedOrRoom = watched.withLock { watched in
            watched.count < watchCount || watched.contains { $0.user == subject }
        }
        guard let value = record.value else { return }
        guard watchedOrRoom else {
            if isFeed, let model = Self.modelName(in: value) { modelRanked(model) }
            return
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
            let surface = json["surface"] as? String, let list = json["items"] as? [[String: Any]]
        else { return }
        let entries = Self.entries(of: list)
        if isFeed { modelRanked(json["model"] as? String ?? "?") }
        var trigger: String?
        if let cause = json["trigger"] as? [String: Any], cause["kind"] as? String == "event" {
            trigger = "\(cause["behavior"] ?? "?") \(cause["itemId"] ?? "?")"
        }
        watched.withLock { watched in
            var index = watched.firstIndex { $0.user == subject }
            if index == nil, watched.count < watchCount {
                watched.append((subject, Watched()))
                index = watched.count - 1
            }
            guard let index else { return }
            if let trigger, watched[index].state.triggers.last != trigger {
                watched[index].state.triggers = Array((watched[index].state.triggers + [trigger]).suffix(5))
            }
            watched[index].state.lists[surface] = (json["model"] as? String ?? "?", entries)
        }
    }

    private func modelRanked(_ model: String) {
        models.withLock { seen in
            if seen.last != model { seen = Array((seen.filter { $0 != model } + [model]).suffix(5)) }
        }
    }

    private static func entries(of list: [[String: Any]]) -> [Entry] {
        list.prefix(3).map { entry in
            Entry(
                id: (entry["itemId"] ?? entry["categoryId"] ?? entry["creatorId"]) as? String ?? "?",
                score: (entry["score"] as? NSNumber)?.doubleValue ?? 0, reason: entry["reason"] as? String ?? "")
        }
    }

    /// The `"model"` field of a list's JSON (`Recommendation.encodeJSON` writes it before the items, and a version
    /// name needs no escapes), without parsing the list.
    static func modelName(in json: [UInt8]) -> String? {
        let field = Array(#""model":""#.utf8)
        guard let start = json.firstRange(of: field)?.upperBound,
            let end = json[start...].firstIndex(of: UInt8(ascii: "\""))
        else { return nil }
        return String(decoding: json[start..<end], as: UTF8.self)
    }

    /// The newest "similar" list, parsed.
    private var similar: (itemId: String, entries: [Entry])? {
        guard let (key, value) = newestSimilar.withLock({ $0 }),
            let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
            let list = json["items"] as? [[String: Any]], !list.isEmpty
        else { return nil }
        return (String(decoding: key, as: UTF8.self), Self.entries(of: list))
    }

    /// One drawn screen, and whether it shows a watched user's ranked feed (at least one entry) and topics, which
    /// `demo --until-shown` waits for.
    struct Screen {
        var text: String
        var showsFeedAndTopics: Bool
    }

    /// `console`: the web console's URL, repeated on every screen (the first line of the output is wiped).
    func render(
        statistics: WorkerStatistics, eventsPerSecond: Double, elapsed: Double, plain: Bool, console: String? = nil
    ) -> Screen {
        let pipeline = statistics.pipeline
        var lines: [String] = []
        lines.append(
            "[\(Int(elapsed)) s] \(Int(eventsPerSecond)) events/s · consumed \(statistics.recordsConsumed) · "
                + "lists \(pipeline.recommendationsEmitted) (similar \(pipeline.similarListsEmitted)) · feature windows "
                + "\(pipeline.featuresEmitted) · dead letters \(pipeline.deadLettered) · late \(pipeline.late)")
        lines.append(
            "    item windows \(pipeline.itemFeaturesEmitted) · users \(statistics.users) · items "
                + "\(statistics.items) (table \(statistics.tableItems)) · partitions \(statistics.assignedPartitions) "
                + "· queued \(statistics.queuedRecords) · commits \(statistics.commits)")
        lines.append(
            "    model: active \(statistics.activeModel ?? "blend (no learned version yet)") · feeds ranked by "
                + "\(models.withLock { $0 }.joined(separator: " → ")) · examples \(pipeline.trainingExamples), trained "
                + "\(pipeline.examplesTrained), versions published \(pipeline.modelsPublished)")
        if let console { lines.append("    console: \(console) (its User view offers the users below)") }
        var showsFeedAndTopics = false
        for (user, state) in watched.withLock({ $0 }) {
            if state.lists["personalized"]?.entries.isEmpty == false, state.lists["topics"]?.entries.isEmpty == false {
                showsFeedAndTopics = true
            }
            lines.append("  \(user)  recent: \(state.triggers.joined(separator: " → "))")
            if let feed = state.lists["personalized"] {
                lines.append("    feed (\(feed.model)):")
                for (rank, entry) in feed.entries.enumerated() {
                    lines.append(
                        "      \(rank + 1). \(entry.id)  \(String(format: "%.2f", entry.score))  \(entry.reason)")
                }
            }
            for surface in ["cart", "topics", "creators"] {
                guard let list = state.lists[surface], !list.entries.isEmpty else { continue }
                let shown = list.entries.map { "\($0.id) (\($0.reason))" }.joined(separator: ", ")
                lines.append("    \(surface): \(shown)")
            }
        }
        if let similar {
            let shown = similar.entries.map { "\($0.id) \(String(format: "%.2f", $0.score))" }.joined(separator: ", ")
            lines.append("  similar to \(similar.itemId): \(shown)")
        }
        let block = lines.joined(separator: "\n")
        return Screen(text: plain ? block + "\n" : "\u{1B}[2J\u{1B}[H" + block, showsFeedAndTopics: showsFeedAndTopics)
    }
}
