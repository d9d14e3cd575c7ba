import Evaluation
import Recommender

/// Generated events in every form the hot paths take them, made once before any measurement.
struct EventSample: Sendable {
    let events: [BehaviorEvent]
    let json: [[UInt8]]
    let csv: [[UInt8]]
    let weights = BehaviorWeights()
    /// Each event's pairs with the three events before it (the default `--co-occurrence-items`).
    let pairs: [[CoOccurrence]]
    let limits = CoOccurrenceCounts.Limits(
        halfLife: CFSettings().coOccurrenceHalfLife, maxPartners: CFSettings().maxCoItemsPerItem,
        minWeight: CFSettings().minCoWeight)
    /// The windows and counts after one pass over the events, so measured passes are steady state.
    let windows: [String: UserWindowAggregator.Accumulator]
    let coCounts: [String: CoOccurrenceCounts]

    init(count: Int) {
        var generator = SyntheticEventGenerator(seed: 5, users: 200, items: 5_000, categories: 50)
        let events = (0..<count).map { _ in generator.next() }
        self.events = events
        json = events.map(EventCodec.encodeJSON)
        csv = events.map(EventCodec.encodeCSV)
        pairs = events.indices.map { index in
            events[max(0, index - 3)..<index].map { CoOccurrence(itemId: $0.itemId, weight: 1, isConversion: false) }
        }
        var windows: [String: UserWindowAggregator.Accumulator] = [:]
        var coCounts: [String: CoOccurrenceCounts] = [:]
        for (event, pairs) in zip(events, pairs) {
            UserWindowAggregator.add(
                event, category: event.categoryId, weights: weights, to: &windows[event.userId, default: .init()])
            coCounts[event.itemId, default: .init()].add(pairs, at: event.timestamp, limits: limits)
        }
        self.windows = windows
        self.coCounts = coCounts
    }
}
