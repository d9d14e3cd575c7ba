import StreamEngine

/// The work of one input partition: its users' state, its watermark and its window timers. A partition's records are
/// processed in offset order by exactly one task, so none of this is shared.
public struct UserTask: Sendable {
    public let partition: Int32
    private let settings: PipelineSettings
    private let windows: TumblingWindows
    private let ranker: PopularityRanker
    // Bounds: maxUsersPerTask keys and userTTL (KeyedStateStore); timers hold one entry per open window.
    private var users: KeyedStateStore<String, UserState>
    private var timers = WindowTimers<String>()
    public private(set) var watermark: BoundedOutOfOrdernessWatermark
    /// The event-time bound last announced to the item tasks.
    private var announced = Int64.min
    public private(set) var counters = PipelineCounters()
    private var changelog: ChangelogWriter
    /// The input offset after the last processed record; nil until one is processed after the last checkpoint.
    private var uncheckpointedOffset: Int64?

    public init(partition: Int32, settings: PipelineSettings) {
        self.partition = partition
        self.settings = settings
        windows = TumblingWindows(size: settings.userWindow)
        ranker = PopularityRanker(topN: settings.topN)
        users = KeyedStateStore(bounds: .init(maxKeys: settings.maxUsersPerTask, ttl: settings.userTTL))
        watermark = BoundedOutOfOrdernessWatermark(maxOutOfOrderness: settings.maxOutOfOrderness)
        changelog = ChangelogWriter(topic: settings.topics.changelog, partition: partition)
        if settings.checkpointing { users.trackChanges() }
    }

    /// Takes over the state of a task's last checkpoint; call on a new task, before it processes anything.
    public mutating func restore(from restored: RestoredTask) throws(CheckpointDecodingError) {
        changelog = ChangelogWriter(topic: changelog.topic, partition: changelog.partition, restored: restored)
        var task = BinaryReader(restored.marker.taskState)
        let maxEventTime = try task.readInt64()
        if maxEventTime != .min { watermark.observe(eventTime: maxEventTime) }
        announced = try task.readInt64()
        users.restore(
            try ChangelogWriter.storeEntries(of: restored) { (reader) throws(CheckpointDecodingError) in
                try UserState.decode(from: &reader, settings: self.settings)
            })
        timers.register(openWindowsOf: users.entries, size: settings.userWindow) { $0.openWindows.keys }
    }

    /// Appends a checkpoint to the changelog records if records were processed since the last one.
    public mutating func checkpoint(into output: inout [OutputRecord]) {
        guard let nextOffset = uncheckpointedOffset else { return }
        uncheckpointedOffset = nil
        var task = BinaryWriter()
        task.write(watermark.maxEventTime)
        task.write(announced)
        changelog.checkpoint(
            &users, nextOffset: nextOffset, taskState: task.bytes, encode: { $0.encode(to: &$1) }, into: &output)
    }

    public var userCount: Int { users.count }

    /// Processes one input record, appending what it causes to `output`: the event re-keyed by item for the item
    /// task that owns it, a fresh list for the user, the features of windows the watermark closed.
    public mutating func process(_ record: StreamRecord, table: ItemTable, output: inout [OutputRecord]) {
        uncheckpointedOffset = record.offset + 1
        guard let value = record.value else {
            return deadLetter(record, reason: "null value (tombstone): a behavior event is required", into: &output)
        }
        let event: BehaviorEvent
        do {
            event = try EventCodec.decode(value, format: .auto)
        } catch {
            return deadLetter(record, reason: error.description, into: &output)
        }
        let windowEnd = windows.end(of: event.timestamp)
        guard windowEnd > watermark.watermark else {
            counters.late += 1
            let reason = "late: event time \(event.timestamp) is in a window closed at watermark \(watermark.watermark)"
            output.append(OutputHeaders.setAside(record, to: settings.topics.late, reason: reason))
            return
        }
        counters.eventsProcessed += 1
        let category = event.categoryId ?? table.read { $0.category(of: event.itemId) }
        var sequence = 0
        var routed = event
        routed.categoryId = category
        let itemKey = Array(event.itemId.utf8)
        output.append(
            OutputRecord(
                topic: settings.topics.itemShuffle,
                partition: KeyPartitioner.partition(for: itemKey, partitionCount: settings.shufflePartitions),
                key: itemKey, value: EventCodec.encodeJSON(routed), timestamp: event.timestamp,
                headers: [OutputHeaders.id(for: record, sequence: sequence)]))
        let recommendation = update(user: event, category: category, windowEnd: windowEnd, table: table)
        if let recommendation {
            sequence += 1
            counters.recommendationsEmitted += 1
            output.append(
                OutputRecord(
                    topic: settings.topics.recommendations, key: Array(event.userId.utf8),
                    value: recommendation.encodeJSON(), timestamp: event.timestamp,
                    headers: [OutputHeaders.id(for: record, sequence: sequence)]))
        }
        watermark.observe(eventTime: event.timestamp)
        announceProgress(causedBy: record, sequence: &sequence, into: &output)
        fireWindows(causedBy: record, sequence: &sequence, into: &output)
        for (userId, state) in users.expire(watermark: watermark.watermark) {
            counters.usersExpired += 1
            dropOpenWindows(of: userId, state)
        }
    }

    /// Adds the event to the user's state and ranks a fresh list when one is due.
    private mutating func update(
        user event: BehaviorEvent, category: String?, windowEnd: Int64, table: ItemTable
    ) -> Recommendation? {
        let windowStart = windowEnd - settings.userWindow
        let settings = self.settings
        let ranker = self.ranker
        let (outcome, evicted) = users.update(
            event.userId, at: event.timestamp, default: { UserState(settings: settings) }
        ) { state -> (newWindow: Bool, recommendation: Recommendation?) in
            let newWindow = state.openWindows[windowStart] == nil
            UserWindowAggregator.add(
                event, category: category, weights: settings.behaviorWeights,
                to: &state.openWindows[windowStart, default: .init()])
            state.history.append(
                Interaction(
                    itemId: event.itemId, categoryId: category, behavior: event.behavior, timestamp: event.timestamp))
            if let category {
                state.interest.add(
                    category: category, weight: settings.behaviorWeights[event.behavior], at: event.timestamp)
            }
            // An out-of-order event has a smaller time than the last list; with no interval it still gets its list.
            guard
                settings.recommendationInterval == 0 || state.lastRecommendationAt == .min
                    || event.timestamp - state.lastRecommendationAt >= settings.recommendationInterval
            else { return (newWindow, nil) }
            state.lastRecommendationAt = max(state.lastRecommendationAt, event.timestamp)
            let ranked = table.read { items in
                ranker.rank(interest: state.interest, history: state.history, items: items)
            }
            return (
                newWindow,
                Recommendation(
                    userId: event.userId, generatedAt: event.timestamp, triggerItemId: event.itemId,
                    triggerBehavior: event.behavior, model: PopularityRanker.modelName, items: ranked)
            )
        }
        if outcome.newWindow { timers.register(event.userId, windowEnd: windowEnd) }
        if let evicted {
            counters.usersEvicted += 1
            dropOpenWindows(of: evicted.key, evicted.value)
        }
        return outcome.recommendation
    }

    /// Tells every item task how far this partition got, as Flink broadcasts watermarks over a keyed exchange: one
    /// value-less record per shuffle partition whenever the bound moves. The bound is what this task will never send
    /// again: events are accepted until their user window closes, so it is the start of the watermark's window.
    private mutating func announceProgress(
        causedBy record: StreamRecord, sequence: inout Int, into output: inout [OutputRecord]
    ) {
        let bound = windows.start(of: watermark.watermark)
        guard watermark.watermark != .min, bound > announced else { return }
        announced = bound
        for partition in 0..<settings.shufflePartitions {
            sequence += 1
            output.append(
                OutputRecord(
                    topic: settings.topics.itemShuffle, partition: partition, key: nil, value: nil, timestamp: bound,
                    headers: [
                        OutputHeaders.id(for: record, sequence: sequence),
                        UpstreamWatermarks.encode(partition: self.partition, watermark: bound),
                    ]))
        }
    }

    /// Emits the features of every window the watermark has passed.
    private mutating func fireWindows(
        causedBy record: StreamRecord, sequence: inout Int, into output: inout [OutputRecord]
    ) {
        for (windowEnd, userId) in timers.popDue(watermark: watermark.watermark) {
            let windowStart = windowEnd - settings.userWindow
            let closed = users.modify(userId) { state in
                state.openWindows.removeValue(forKey: windowStart).map { accumulator in
                    let interest = state.interest.top(UserWindowAggregator.topCategoryCount)
                        .map { WeightedCategory(category: $0.category, weight: $0.share) }
                    return UserWindowAggregator.result(
                        accumulator, userId: userId, window: windowStart..<windowEnd, interest: interest)
                }
            }
            guard let features = closed ?? nil else { continue }
            sequence += 1
            counters.featuresEmitted += 1
            output.append(
                OutputRecord(
                    topic: settings.topics.userFeatures, key: Array(userId.utf8), value: features.encodeJSON(),
                    timestamp: windowEnd - 1,
                    headers: [OutputHeaders.id(window: windowStart, of: userId, in: settings.topics.userFeatures)]))
        }
    }

    private mutating func dropOpenWindows(of userId: String, _ state: UserState) {
        for windowStart in state.openWindows.keys {
            timers.cancel(userId, windowEnd: windowStart + settings.userWindow)
            counters.windowsDroppedByEviction += 1
        }
    }

    private mutating func deadLetter(_ record: StreamRecord, reason: String, into output: inout [OutputRecord]) {
        counters.deadLettered += 1
        output.append(OutputHeaders.setAside(record, to: settings.topics.deadLetter, reason: reason))
    }
}
