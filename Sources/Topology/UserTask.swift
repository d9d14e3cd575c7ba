import Recommender
import StreamEngine

/// The work of one input partition: its users' state, its watermark and its window timers. A partition's records are
/// processed in offset order by exactly one task, so none of this is shared.
public struct UserTask: Sendable {
    public let partition: Int32
    private let settings: PipelineSettings
    private let routes: OutputRoutes
    private let windows: TumblingWindows
    private let generator: CandidateGenerator
    private let ranker: HybridRanker
    private let scoring: ListScoring
    /// Each user's last feed, until the user's next actions label it for training. Bound: `userCache`.
    private var lists: BoundedCache<String, PendingList>
    /// The model versions last read from the registry, and the registry generation they belong to.
    private var models: (generation: UInt64, selection: ModelSelection) = (.max, ModelSelection())
    // Bounds: maxUsersPerPartition keys and userTTL (KeyedStateStore); timers hold one entry per open window.
    private var users: KeyedStateStore<String, UserState>
    private var timers = WindowTimers<String>()
    public private(set) var watermark: BoundedOutOfOrdernessWatermark
    /// The event-time bound last announced to the item tasks.
    private var announced = Int64.min
    /// What this task counted; `counters` adds its cache's.
    private var ownCounters = PipelineCounters()
    public var counters: PipelineCounters {
        var counters = ownCounters
        counters.userCache = lists.counters
        return counters
    }
    private var changelog: ChangelogWriter
    /// The input offset after the last processed record; nil until one is processed after the last checkpoint.
    private var uncheckpointedOffset: Int64?

    public init(partition: Int32, settings: PipelineSettings) {
        self.partition = partition
        self.settings = settings
        routes = OutputRoutes(settings)
        windows = TumblingWindows(size: settings.userWindow)
        generator = CandidateGenerator(
            ranking: settings.ranking, cf: settings.cf, behaviorWeights: settings.behaviorWeights)
        ranker = HybridRanker(ranking: settings.ranking, behaviorWeights: settings.behaviorWeights)
        scoring = ListScoring(
            ranking: settings.ranking, labels: settings.labels, trainer: settings.trainer, ranker: ranker)
        lists = BoundedCache(bounds: settings.userCache)
        users = KeyedStateStore(bounds: .init(maxKeys: settings.maxUsersPerPartition, ttl: settings.userTTL))
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
    /// task that owns it (with the pairs it forms with the user's recent items, and those pairs keyed by the other
    /// item), fresh lists for the user, the features of windows the watermark closed.
    public mutating func process(
        _ record: StreamRecord, table: ItemTable, registry: ModelRegistry, output: inout [OutputRecord]
    ) {
        uncheckpointedOffset = record.offset + 1
        let event: BehaviorEvent
        do {
            event = try InputValidation.event(of: record, settings: settings)
        } catch {
            return deadLetter(record, error, into: &output)
        }
        let windowEnd = windows.end(of: event.timestamp)
        guard windowEnd > watermark.watermark else {
            ownCounters.late += 1
            let reason = "late: event time \(event.timestamp) is in a window closed at watermark \(watermark.watermark)"
            output.append(routes.late(record, reason: reason, limit: settings.maxRecordBytes))
            return
        }
        ownCounters.eventsProcessed += 1
        var routed = event
        routed.categoryId = event.categoryId ?? table.read { $0.category(of: event.itemId) }
        // Where nothing ranks there is no pending list to label (and a cache lookup per event to find that out).
        var examples = settings.emitsLists ? label(event) : []
        if models.generation != registry.generation {
            // The hot swap: one atomic load per event; the lock only when a version changed.
            models = (registry.generation, registry.selection)
        }
        let outcome = update(
            user: routed, windowEnd: windowEnd, table: table, version: models.selection.version(for: event.userId))
        if let pending = outcome.pending { examples += replacePending(of: event.userId, with: pending) }
        var sequence = 0
        route(routed, pairs: outcome.pairs, causedBy: record, sequence: &sequence, into: &output)
        for list in outcome.lists {
            sequence += 1
            output.append(routes.list(list, id: OutputHeaders.id(for: record, sequence: sequence)))
        }
        watermark.observe(eventTime: event.timestamp)
        announceProgress(causedBy: record, sequence: &sequence, into: &output)
        // Last: how many examples an event yields depends on the (not checkpointed) user cache, so no other output's
        // id may come after them.
        for example in examples {
            sequence += 1
            ownCounters.trainingExamples += 1
            output.append(
                routes.trainingExample(example, of: event.userId, id: OutputHeaders.id(for: record, sequence: sequence))
            )
        }
        fireWindows(causedBy: record, table: table, into: &output)
        for (userId, state) in users.expire(watermark: watermark.watermark) {
            ownCounters.usersExpired += 1
            dropOpenWindows(of: userId, state)
        }
    }

    /// The end of a bounded input, as Flink's final watermark: event time moves past `lastEventTime` (the newest
    /// event time of the whole input, every partition) by both window sizes, so every open window closes here
    /// (features and lists sent as at any close) and at the item tasks, which are told this partition sends nothing
    /// older. `end` stands for the position after the partition's last record (it names the outputs' ids).
    public mutating func finish(
        after lastEventTime: Int64, as end: StreamRecord, table: ItemTable, output: inout [OutputRecord]
    ) {
        guard lastEventTime != .min else { return }
        uncheckpointedOffset = end.offset
        let finalTime = lastEventTime + settings.userWindow + settings.itemWindow
        watermark.observe(eventTime: finalTime + settings.maxOutOfOrderness)
        var sequence = 0
        announceProgress(causedBy: end, sequence: &sequence, into: &output)
        fireWindows(causedBy: end, table: table, into: &output)
    }

    /// The event to its item's task, carrying its pairs; the other half of each pair to the recent item's task, one
    /// record per shuffle partition (in the order the pairs first reach each partition).
    private func route(
        _ event: BehaviorEvent, pairs: [CoOccurrence], causedBy record: StreamRecord, sequence: inout Int,
        into output: inout [OutputRecord]
    ) {
        output.append(
            routes.shuffled(event, pairs: pairs, id: OutputHeaders.id(for: record, sequence: sequence)))
        // At most `partitions` groups: scanned, not hashed.
        var groups: [(partition: Int32, pairs: [CoOccurrence])] = []
        for pair in pairs {
            let partition = routes.shufflePartition(of: pair.itemId)
            if let index = groups.firstIndex(where: { $0.partition == partition }) {
                groups[index].pairs.append(pair)
            } else {
                groups.append((partition, [pair]))
            }
        }
        for group in groups {
            sequence += 1
            output.append(
                routes.pairs(
                    with: event.itemId, group.pairs, inShufflePartition: group.partition, timestamp: event.timestamp,
                    id: OutputHeaders.id(for: record, sequence: sequence)))
        }
    }

    private struct Outcome {
        var newWindow = false
        var pairs: [CoOccurrence] = []
        var lists: [Recommendation] = []
        var pending: PendingList?
    }

    /// Marks an item of the user's pending feed as acted on; a list past the horizon is finished into examples.
    private mutating func label(_ event: BehaviorEvent) -> [TrainingExample] {
        guard let pending = lists.value(for: event.userId, now: event.timestamp) else { return [] }
        guard event.timestamp - pending.generatedAt <= settings.labels.trainingHorizon else {
            _ = lists.removeValue(for: event.userId)
            return scoring.examples(of: pending, userId: event.userId)
        }
        if pending.itemIds.contains(event.itemId), !pending.hits.contains(event.itemId) {
            lists.modify(event.userId) { $0.hits.insert(event.itemId) }
            ownCounters.byModel[pending.model, default: ModelCounters()].hits += 1
        }
        return []
    }

    /// A new feed replaces the pending one, which is finished into examples.
    private mutating func replacePending(of userId: String, with pending: PendingList) -> [TrainingExample] {
        ownCounters.byModel[pending.model, default: ModelCounters()].lists += 1
        let finished = lists.removeValue(for: userId).map { scoring.examples(of: $0, userId: userId) } ?? []
        lists.set(pending, for: userId, now: pending.generatedAt)
        return finished
    }

    /// The personalized feed a reader would be served for the user now (the HTTP API, when it kept none: the user's
    /// partition moved to this instance since the user's last list) — ranked as the worker ranks, at the task's
    /// current event time, read-only. nil for a user this task holds no state of.
    public func currentFeed(of userId: String, table: ItemTable, registry: ModelRegistry) -> Recommendation? {
        guard let state = users.peek(userId) else { return nil }
        let time = watermark.maxEventTime
        let version = registry.selection.version(for: userId)
        let items = recommend(
            user: userId, at: time, strategies: [.hybrid], table: table, registry: registry, trained: nil)
        return Recommendation(
            surface: .personalized, subject: userId, generatedAt: time, trigger: lastTrigger(of: state, at: time),
            model: version?.version ?? HybridRanker.blendModel, items: items[.hybrid] ?? [])
    }

    /// What a feed computed now answers: the user's last interaction, or else the window.
    private func lastTrigger(of state: UserState, at time: Int64) -> RecommendationTrigger {
        state.history.newestFirst.first { _ in true }
            .map { RecommendationTrigger.event(itemId: $0.itemId, behavior: $0.behavior) }
            ?? .windowClosed(windowEnd: windows.end(of: time))
    }

    /// The feed the user would get now, by each of `strategies` — read-only: the candidates and ranking of `update`
    /// (same generator, filters, ranker and scoring), with nothing emitted, labelled or changed. The trigger is the
    /// user's last interaction, as for the feed that interaction caused. A user this task does not hold (new,
    /// evicted, expired) gets a newcomer's feed. `trained` ranks the `learned` strategy (nil: the untrained prior).
    public func recommend(
        user userId: String, at time: Int64, strategies: [RankingStrategy], table: ItemTable,
        registry: ModelRegistry, trained: RankingModel?
    ) -> [RankingStrategy: [ScoredItem]] {
        let state = users.peek(userId) ?? UserState(settings: settings.user)
        // The single-source strategies rank their source's best of every candidate; the others rank what a feed
        // ranks, the shortlist (the same candidates `everySource` keeps, cut as a feed cuts them).
        let singleSource = strategies.contains { $0.source != nil }
        let generated = generator.candidates(
            for: state, excluding: nil, at: time, table: table, everySource: singleSource)
        let candidates = singleSource ? generator.shortlist(of: generated) : generated
        let trigger = lastTrigger(of: state, at: time)
        var lists: [RankingStrategy: [ScoredItem]] = [:]
        for strategy in strategies {
            let model: RankingModel?
            switch strategy {
            case .popular, .trending, .itemCF, .content:
                let source = strategy.source!
                let proposed = generated.filter { $0[keyPath: source] > 0 }
                lists[strategy] = ranker.personalized(proposed) { $0[keyPath: source] }
                continue
            case .blend: model = nil
            case .learned: model = trained ?? RankingFeatures.initialModel(settings.trainer)
            case .hybrid: model = registry.selection.version(for: userId)?.model
            }
            lists[strategy] =
                scoring.rank(
                    candidates, user: state, at: time, trigger: trigger, model: model
                ).items
        }
        return lists
    }

    /// Adds the event to the user's state and ranks the lists it makes due: the feed (at most once per
    /// `recommendationInterval`) and the cart complements (when the cart changed).
    private mutating func update(
        user event: BehaviorEvent, windowEnd: Int64, table: ItemTable, version: ModelVersion?
    ) -> Outcome {
        let windowStart = windowEnd - settings.userWindow
        let (outcome, evicted) = users.update(
            event.userId, at: event.timestamp, default: { UserState(settings: settings.user) }
        ) { state -> Outcome in
            var outcome = Outcome()
            outcome.newWindow = state.openWindows[windowStart] == nil
            if settings.emitsLists {
                outcome.pairs = CoOccurrence.pairs(
                    of: event, with: state.history, limit: settings.cf.coOccurrenceItems,
                    window: settings.cf.coOccurrenceWindow, weights: settings.behaviorWeights)
            }
            UserWindowAggregator.add(
                event, category: event.categoryId, weights: settings.behaviorWeights,
                to: &state.openWindows[windowStart, default: .init()])
            if let category = event.categoryId {
                state.interest.add(
                    category: category, weight: settings.behaviorWeights[event.behavior], at: event.timestamp)
            }
            // The window features read only the window and the interest: where nothing ranks, the history (an item
            // hash and a growing ring buffer per user) and the cart have no reader.
            guard settings.emitsLists else { return outcome }
            state.history.append(
                Interaction(
                    itemId: event.itemId, categoryId: event.categoryId, behavior: event.behavior,
                    timestamp: event.timestamp))
            let cartChanged = state.noteCart(event, settings: settings.user)
            // An out-of-order event has a smaller time than the last list; with no interval it still gets its list.
            let feedDue =
                settings.recommendationInterval == 0 || state.lastRecommendationAt == .min
                || event.timestamp - state.lastRecommendationAt >= settings.recommendationInterval
            guard feedDue || cartChanged else { return outcome }
            let candidates = generator.candidates(
                for: state, excluding: event.itemId, at: event.timestamp, table: table)
            let trigger = RecommendationTrigger.event(itemId: event.itemId, behavior: event.behavior)
            if feedDue {
                state.lastRecommendationAt = max(state.lastRecommendationAt, event.timestamp)
                let (list, pending) = scoring.feed(
                    for: event.userId, user: state, candidates: candidates, at: event.timestamp, trigger: trigger,
                    version: version)
                outcome.lists.append(list)
                outcome.pending = pending
            }
            if cartChanged {
                outcome.lists.append(
                    Recommendation(
                        surface: .cart, subject: event.userId, generatedAt: event.timestamp, trigger: trigger,
                        model: HybridRanker.blendModel, items: ranker.cart(candidates)))
            }
            return outcome
        }
        if outcome.newWindow { timers.register(event.userId, windowEnd: windowEnd) }
        if let evicted {
            ownCounters.usersEvicted += 1
            dropOpenWindows(of: evicted.key, evicted.value)
        }
        ownCounters.recommendationsEmitted += outcome.lists.count
        return outcome
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
                routes.progress(
                    bound, of: self.partition, toShufflePartition: partition,
                    id: OutputHeaders.id(for: record, sequence: sequence)))
        }
    }

    /// Emits the features of every window the watermark has passed, and the user's lists of the closed window:
    /// topics, creators and, when the user's feed is stale, a fresh feed.
    ///
    /// Bounded like the per-event work: a feed is ranked at most once per state of the user. When the user's last
    /// feed was ranked at or after their newest event (with the default `--recommendation-interval-ms` 0, every
    /// event's own feed) it stands — ranking it again from the same state was a third of a replay's CPU at the
    /// 50 000-item workload — and is counted in `windowFeedsKept`; the window ranks one only when an event came
    /// after the last feed (the interval held it back). An out-of-order event the interval held back is older than
    /// that feed and does not make it stale.
    private mutating func fireWindows(
        causedBy record: StreamRecord, table: ItemTable, into output: inout [OutputRecord]
    ) {
        let (generator, ranker, scoring) = (self.generator, self.ranker, self.scoring)
        // One read of the table's rising groups for every window this watermark closes (often thousands at once:
        // every user's window ends on the same boundary). Other lanes may update the table meanwhile, as they may
        // between any two reads; in one lane nothing does while this task runs.
        var rising: HybridRanker.RisingGroups?
        for (windowEnd, userId) in timers.popDue(watermark: watermark.watermark) {
            let windowStart = windowEnd - settings.userWindow
            let version = models.selection.version(for: userId)
            let closed = users.modify(userId) { state -> (UserWindowFeatures, [Recommendation], PendingList?, Bool)? in
                guard let accumulator = state.openWindows.removeValue(forKey: windowStart) else { return nil }
                let interest = state.interest.topShares(UserWindowAggregator.topCategoryCount)
                let features = UserWindowAggregator.result(
                    accumulator, userId: userId, window: windowStart..<windowEnd, interest: interest)
                guard settings.emitsLists else { return (features, [], nil, false) }
                let time = windowEnd - 1
                let trigger = RecommendationTrigger.windowClosed(windowEnd: windowEnd)
                let newest = state.history.newestFirst.first { _ in true }?.timestamp ?? .min
                let feedIsCurrent =
                    !settings.refreshesCurrentFeedsAtWindowClose && state.lastRecommendationAt != .min
                    && state.lastRecommendationAt >= newest
                var lists: [Recommendation] = []
                var pending: PendingList?
                if !feedIsCurrent {
                    let candidates = generator.candidates(for: state, excluding: nil, at: time, table: table)
                    let feed: Recommendation
                    (feed, pending) = scoring.feed(
                        for: userId, user: state, candidates: candidates, at: time, trigger: trigger, version: version)
                    lists.append(feed)
                }
                if rising == nil { rising = HybridRanker.risingGroups(in: table) }
                let (topics, creators) = ranker.groups(for: state, table: table, rising: rising!)
                lists += [
                    Recommendation(
                        surface: .topics, subject: userId, generatedAt: time, trigger: trigger,
                        model: HybridRanker.blendModel, items: topics),
                    Recommendation(
                        surface: .creators, subject: userId, generatedAt: time, trigger: trigger,
                        model: HybridRanker.blendModel, items: creators),
                ]
                return (features, lists, pending, feedIsCurrent)
            }
            guard let (features, lists, pending, feedKept) = closed ?? nil else { continue }
            if feedKept { ownCounters.windowFeedsKept += 1 }
            let examples = pending.map { replacePending(of: userId, with: $0) } ?? []
            ownCounters.featuresEmitted += 1
            output.append(routes.userFeatures(features, of: userId, window: windowStart..<windowEnd))
            // Sent even when empty: whether a list has entries depends on the global table's timing, and which ids
            // exist must not (an app reads an empty list as "nothing to show for now").
            for list in lists {
                ownCounters.recommendationsEmitted += 1
                output.append(routes.windowList(list, of: userId, windowStart: windowStart))
            }
            for (index, example) in examples.enumerated() {
                ownCounters.trainingExamples += 1
                output.append(routes.windowExample(example, index: index, of: userId, windowStart: windowStart))
            }
        }
    }

    private mutating func dropOpenWindows(of userId: String, _ state: UserState) {
        for windowStart in state.openWindows.keys {
            timers.cancel(userId, windowEnd: windowStart + settings.userWindow)
            ownCounters.windowsDroppedByEviction += 1
        }
    }

    private mutating func deadLetter(
        _ record: StreamRecord, _ error: EventDecodingError, into output: inout [OutputRecord]
    ) {
        ownCounters.countDeadLetter(error.reason)
        output.append(
            routes.deadLetter(
                record, reason: error.description, errorClass: error.reason.rawValue, limit: settings.maxRecordBytes))
    }
}
