import Foundation
import Recommender
import StreamEngine
import Topology

/// A closed-loop stream with a planted preference, for measuring what the learned ranker learns: users of segment S
/// (home category c0, c1 or c2) act on an item of category `c9` whenever their feed shows one; everybody else acts on
/// their home category — on a listed item half the time, else on a random one. Each step one user acts on the feed
/// the pipeline last gave them, so a ranker that learns "S users go for c9" earns more next-action hits. Background
/// viewers keep c9 among the most popular items, so c9 items are always among the candidates; the blend ranks a
/// user's own category above them, the learned ranker can learn not to for S.
///
/// Deterministic for a seed. Runs the real topology in process (`LocalRunner`): the trainer learns from the
/// examples the user tasks label, publishes versions, and the registry swaps them in as the loop goes on.
public struct PlantedPreferenceSimulation: Sendable {
    public struct Outcome: Sendable {
        /// Hit rate (the user's next action was on an item of the feed they were shown) per tenth of the run.
        public var hitRateByTenth: [Double]
        /// Hit rate over the second half of the run.
        public var lateHitRate: Double
        /// Segment S's hit rate over the second half.
        public var lateSegmentHitRate: Double
        public var versionsPublished: Int
        public var activeModel: String?
        public var examplesTrained: Int
    }

    public static let categories = 10
    public static let itemsPerCategory = 10
    public static let plantedCategory = "c9"

    public static func isInSegment(_ home: Int) -> Bool { home < 3 }

    /// `settings` are used as given, except that the topology runs in one process.
    public static func run(settings: PipelineSettings, events: Int, users: Int = 300, seed: UInt64 = 1) -> Outcome {
        var runner = LocalRunner(settings: settings)
        var random = SeededRandom(seed: seed)
        var lastFeed: [String: [String]] = [:]
        var offset: Int64 = 0
        var time: Int64 = 1_700_000_000_000
        func feed(_ event: BehaviorEvent) {
            let record = StreamRecord(
                topic: "user-behavior", partition: 0, offset: offset, key: Array(event.userId.utf8),
                value: EventCodec.encodeJSON(event))
            offset += 1
            runner.process(record) { output in
                guard output.topic == settings.topics.recommendations, let value = output.value,
                    let list = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
                    list["surface"] as? String == "personalized", let user = list["userId"] as? String
                else { return }
                lastFeed[user] = (list["items"] as? [[String: Any]] ?? []).compactMap { $0["itemId"] as? String }
            }
        }
        func item(_ category: Int, _ index: Int) -> String { "c\(category)-i\(index)" }
        // Every item gets some popularity first, so every category has a chart.
        for category in 0..<categories {
            for index in 0..<itemsPerCategory {
                for viewer in 0..<(1 + random.below(3)) {
                    feed(
                        BehaviorEvent(
                            userId: "seed\(viewer)", itemId: item(category, index), behavior: .view, timestamp: time,
                            categoryId: "c\(category)"))
                }
            }
        }
        var hits = [Int](repeating: 0, count: 10)
        var shown = [Int](repeating: 0, count: 10)
        var segmentHits = 0
        var segmentShown = 0
        for step in 0..<events {
            time += 1_000
            if random.unit() < 0.5 {
                let itemId = item(categories - 1, random.below(itemsPerCategory))
                feed(
                    BehaviorEvent(
                        userId: "background\(random.below(50))", itemId: itemId, behavior: .view, timestamp: time,
                        categoryId: plantedCategory))
            }
            let user = random.below(users)
            let home = user % (categories - 1)
            let list = lastFeed["u\(user)"] ?? []
            let planted = list.first { $0.hasPrefix(plantedCategory + "-") }
            let homeListed = list.first { $0.hasPrefix("c\(home)-") }
            let chosen: String
            var behavior = Behavior.click
            if isInSegment(home), let planted {
                chosen = planted
            } else if let homeListed, random.unit() < 0.5 {
                chosen = homeListed
            } else {
                chosen = item(home, random.below(itemsPerCategory))
                behavior = .view
            }
            let tenth = step * 10 / events
            if !list.isEmpty {
                shown[tenth] += 1
                if list.contains(chosen) { hits[tenth] += 1 }
                if step >= events / 2, isInSegment(home) {
                    segmentShown += 1
                    if list.contains(chosen) { segmentHits += 1 }
                }
            }
            let category = String(chosen.prefix { $0 != "-" })
            feed(
                BehaviorEvent(
                    userId: "u\(user)", itemId: chosen, behavior: behavior, timestamp: time, categoryId: category))
        }
        let rates = zip(hits, shown).map { $1 == 0 ? 0 : Double($0) / Double($1) }
        let late = (hits[5...].reduce(0, +), shown[5...].reduce(0, +))
        return Outcome(
            hitRateByTenth: rates, lateHitRate: late.1 == 0 ? 0 : Double(late.0) / Double(late.1),
            lateSegmentHitRate: segmentShown == 0 ? 0 : Double(segmentHits) / Double(segmentShown),
            versionsPublished: runner.pipeline.counters.modelsPublished,
            activeModel: runner.registry.selection.active?.version,
            examplesTrained: runner.pipeline.counters.examplesTrained)
    }
}
