import Recommender
import StreamEngine

/// The work of one partition of the item shuffle topic: every event of the items that hash to it, from every user
/// partition of every instance. Keeps per-item 10-minute windows, trend and item-to-item co-occurrence, publishes the
/// item's row of the global table (with its CF neighbours and cart complements) and its `similar` list when the
/// neighbours change.
public struct ItemTask: Sendable {
    struct ItemState: Sendable {
        var category: String?
        var openWindows: [Int64: ItemWindowAggregator.Accumulator] = [:]
        /// The last closed window, for the trend.
        var previousWindow: (start: Int64, score: Double)?
        var totalScore = 0.0
        var lastPublished: Int64 = .min
        /// Growth of the last closed window over the one before, and that window's end.
        var trend = 0.0
        var trendWindowEnd: Int64 = .min
        var coOccurrence = CoOccurrenceCounts()
        /// Digest of the neighbour ids of the last `similar` list, so a list goes out only when they change.
        var similarDigest: UInt64 = 0
        var lastSimilarAt: Int64 = .min
        /// When neighbours and complements were last computed (`neighbourRefreshInterval`).
        var lastNeighboursAt: Int64 = .min
        /// Whether anything a row shows changed since the last row.
        var unpublished = false
    }

    public let partition: Int32
    private let settings: PipelineSettings
    private let routes: OutputRoutes
    private let windows: TumblingWindows
    // Bounds: maxItemsPerPartition keys and itemTTL; timers hold one entry per open window.
    private var items: KeyedStateStore<String, ItemState>
    private var timers = WindowTimers<String>()
    /// Event time is the minimum over the user partitions feeding this one, so an upstream partition that is
    /// behind (a slow lane, a backlog) cannot make its events late here.
    private var upstream: UpstreamWatermarks
    public private(set) var watermark: Int64 = .min
    public private(set) var counters = PipelineCounters()
    /// Per upstream partition, the position (offset, ordinal) of the last record taken from it. A rewound upstream
    /// task re-sends what it sent after its checkpoint; on a broker that does not hide the aborted first copy, the
    /// second is recognised here by its id and dropped, so nothing is counted twice.
    // Bound: one entry per upstream partition.
    private var upstreamPositions: [Int32: (offset: Int64, sequence: Int)] = [:]
    private var changelog: ChangelogWriter
    private var uncheckpointedOffset: Int64?

    public init(partition: Int32, settings: PipelineSettings) {
        self.partition = partition
        self.settings = settings
        routes = OutputRoutes(settings)
        windows = TumblingWindows(size: settings.itemWindow)
        items = KeyedStateStore(bounds: .init(maxKeys: settings.maxItemsPerPartition, ttl: settings.itemTTL))
        upstream = UpstreamWatermarks(partitions: settings.shufflePartitions, idleTimeout: settings.idleTimeout)
        changelog = ChangelogWriter(
            topic: settings.topics.changelog,
            partition: routes.changelogPartition(ofTaskReading: settings.topics.itemShuffle, partition: partition))
        if settings.checkpointing { items.trackChanges() }
    }

    /// Takes over the state of a task's last checkpoint; call on a new task, before it processes anything.
    public mutating func restore(from restored: RestoredTask) throws(CheckpointDecodingError) {
        changelog = ChangelogWriter(topic: changelog.topic, partition: changelog.partition, restored: restored)
        var task = BinaryReader(restored.marker.taskState)
        watermark = try task.readInt64()
        var announced: [(partition: Int32, watermark: Int64)] = []
        for _ in 0..<(try task.readCount()) { announced.append((try task.readInt32(), try task.readInt64())) }
        upstream.restore(announced, at: .now)
        for _ in 0..<(try task.readCount()) {
            upstreamPositions[try task.readInt32()] = (try task.readInt64(), try task.readInt())
        }
        items.restore(
            try ChangelogWriter.storeEntries(of: restored) { (reader) throws(CheckpointDecodingError) in
                try ItemState.decode(from: &reader)
            })
        timers.register(openWindowsOf: items.entries, size: settings.itemWindow) { $0.openWindows.keys }
    }

    /// Appends a checkpoint to the changelog records if records were processed since the last one.
    public mutating func checkpoint(into output: inout [OutputRecord]) {
        guard let nextOffset = uncheckpointedOffset else { return }
        uncheckpointedOffset = nil
        var task = BinaryWriter()
        task.write(watermark)
        let announced = upstream.announcedWatermarks
        task.write(announced.count)
        for (partition, watermark) in announced {
            task.write(partition)
            task.write(watermark)
        }
        task.write(upstreamPositions.count)
        for (partition, position) in upstreamPositions.sorted(by: { $0.key < $1.key }) {
            task.write(partition)
            task.write(position.offset)
            task.write(position.sequence)
        }
        changelog.checkpoint(
            &items, nextOffset: nextOffset, taskState: task.bytes, encode: { $0.encode(to: &$1) }, into: &output)
    }

    /// Whether the record repeats one already taken from its upstream partition (see `upstreamPositions`); a new
    /// one also shows its upstream partition is alive.
    private mutating func isRepeated(_ record: StreamRecord, at now: ContinuousClock.Instant) -> Bool {
        guard let header = record.headers.first(where: { $0.name == OutputHeaders.id })?.value,
            let position = OutputHeaders.position(inID: header)
        else { return false }
        if let last = upstreamPositions[position.partition], (position.offset, position.sequence) <= last {
            return true
        }
        upstreamPositions[position.partition] = (position.offset, position.sequence)
        upstream.heard(from: position.partition, at: now)
        return false
    }

    public var itemCount: Int { items.count }

    public mutating func process(_ record: StreamRecord, table: ItemTable, output: inout [OutputRecord]) {
        uncheckpointedOffset = record.offset + 1
        let now = ContinuousClock.now
        guard !isRepeated(record, at: now) else {
            counters.repeatsDropped += 1
            return
        }
        if let announced = UpstreamWatermarks.decode(record) {
            // A progress announcement of a user partition: no event, only event time moving on.
            upstream.observe(upstream: announced.partition, watermark: announced.watermark, at: now)
            var sequence = 0
            advanceTime(at: now, table: table, causedBy: record, sequence: &sequence, into: &output)
            return
        }
        let pairs: [CoOccurrence]
        let paired: [CoOccurrence]
        do {
            func decoded(_ name: String) throws(CheckpointDecodingError) -> [CoOccurrence] {
                guard let header = record.headers.first(where: { $0.name == name }) else { return [] }
                return try CoOccurrence.decode(header.value ?? [])
            }
            pairs = try decoded(CoOccurrence.header)
            paired = try decoded(CoOccurrence.pairedHeader)
        } catch {
            let reason = EventDecodingError(.malformed, "unreadable co-occurrence header: \(error)")
            return setAside(record, reason, into: &output)
        }
        if !record.hasValue, let key = record.key, !pairs.isEmpty || !paired.isEmpty {
            // Pairs with the user's recent items of this partition: no event of these items, only their CF counts
            // move. `paired`: each names its recent item, the key is the event's item; `pairs` (older versions):
            // the key is the recent item, the pair names the event's item.
            let keyItem = String(decoding: key, as: UTF8.self)
            let time = record.timestamp ?? watermark
            var sequence = 0
            if !pairs.isEmpty {
                addPairs(pairs, to: keyItem, at: time, table: table, causedBy: record, &sequence, &output)
            }
            for pair in paired {
                let back = CoOccurrence(itemId: keyItem, weight: pair.weight, isConversion: pair.isConversion)
                addPairs([back], to: pair.itemId, at: time, table: table, causedBy: record, &sequence, &output)
            }
            return advanceTime(at: now, table: table, causedBy: record, sequence: &sequence, into: &output)
        }
        let event: BehaviorEvent
        do throws(EventDecodingError) {
            if let typed = record.typed as? BehaviorEvent {
                event = typed  // from a user task in this process: already validated
            } else {
                guard let value = record.value else {
                    throw EventDecodingError(.nullValue, "an event record without value")
                }
                event = try EventCodec.decode(value, format: .json)
            }
        } catch {
            // Only StreamRec writes this topic; a record it cannot read is still kept, never skipped silently.
            return setAside(
                record, EventDecodingError(error.reason, "unreadable item-shuffle record: \(error)"), into: &output)
        }
        let windowEnd = windows.end(of: event.timestamp)
        guard windowEnd > watermark else {
            counters.late += 1
            let reason = "late at the item task: event time \(event.timestamp), watermark \(watermark)"
            output.append(routes.late(record, reason: reason, limit: settings.maxRecordBytes))
            return
        }
        counters.itemEventsProcessed += 1
        let windowStart = windowEnd - settings.itemWindow
        let settings = self.settings
        let limits = coOccurrenceLimits
        let (outcome, evicted) = items.update(event.itemId, at: event.timestamp, default: { ItemState() }) {
            state -> (newWindow: Bool, rowDue: Bool) in
            let categoryChanged = event.categoryId != nil && event.categoryId != state.category
            if let category = event.categoryId { state.category = category }
            let newWindow = state.openWindows[windowStart] == nil
            ItemWindowAggregator.add(
                event, weights: settings.behaviorWeights, to: &state.openWindows[windowStart, default: .init()])
            state.totalScore += settings.behaviorWeights[event.behavior]
            state.coOccurrence.addEvent(
                weight: settings.behaviorWeights[event.behavior], at: event.timestamp, limits: limits)
            state.coOccurrence.add(pairs, at: event.timestamp, limits: limits)
            state.unpublished = true
            // Where nothing ranks (features only) the table's one reader is the user tasks' category lookup for an
            // event that came without one: a row only when the category is new or changed, not per event and window
            // close (a twentieth of a features-only replay's CPU went to rows nobody read).
            return (newWindow, settings.emitsLists ? state.isRowDue(at: event.timestamp, settings) : categoryChanged)
        }
        var sequence = 0
        if outcome.newWindow { timers.register(event.itemId, windowEnd: windowEnd) }
        if let evicted { drop(evicted.key, evicted.value, expired: false) }
        if outcome.rowDue {
            publishRow(
                of: event.itemId, at: event.timestamp, table: table, causedBy: record, sequence: &sequence,
                into: &output)
        }
        advanceTime(at: now, table: table, causedBy: record, sequence: &sequence, into: &output)
    }

    /// Adds pairs to one item's CF counts (no event of the item); publishes its row when due.
    private mutating func addPairs(
        _ pairs: [CoOccurrence], to itemId: String, at time: Int64, table: ItemTable, causedBy record: StreamRecord,
        _ sequence: inout Int, _ output: inout [OutputRecord]
    ) {
        let limits = coOccurrenceLimits
        let settings = self.settings
        let (due, evicted) = items.update(itemId, at: time, default: { ItemState() }) { state in
            state.coOccurrence.add(pairs, at: time, limits: limits)
            state.unpublished = true
            // Only the neighbours changed: a row is due when they may be recomputed.
            return state.isRowDue(at: time, settings) && state.areNeighboursDue(at: time, settings)
        }
        if let evicted { drop(evicted.key, evicted.value, expired: false) }
        if due { publishRow(of: itemId, at: time, table: table, causedBy: record, sequence: &sequence, into: &output) }
    }

    private var coOccurrenceLimits: CoOccurrenceCounts.Limits {
        .init(
            halfLife: settings.cf.coOccurrenceHalfLife, maxPartners: settings.cf.maxCoItemsPerItem,
            minWeight: settings.cf.minCoWeight, shrinkage: settings.cf.coOccurrenceShrinkage)
    }

    private mutating func setAside(
        _ record: StreamRecord, _ error: EventDecodingError, into output: inout [OutputRecord]
    ) {
        counters.countDeadLetter(error.reason)
        output.append(
            routes.deadLetter(
                record, reason: error.description, errorClass: error.reason.rawValue, limit: settings.maxRecordBytes))
    }

    /// Moves the watermark to the slowest live upstream partition, fires the windows it passed, expires old items.
    private mutating func advanceTime(
        at now: ContinuousClock.Instant, table: ItemTable, causedBy record: StreamRecord, sequence: inout Int,
        into output: inout [OutputRecord]
    ) {
        watermark = max(watermark, upstream.watermark(at: now))
        fireWindows(causedBy: record, table: table, sequence: &sequence, into: &output)
        for (itemId, state) in items.expire(watermark: watermark) { drop(itemId, state, expired: true) }
    }

    private mutating func fireWindows(
        causedBy record: StreamRecord, table: ItemTable, sequence: inout Int, into output: inout [OutputRecord]
    ) {
        let size = settings.itemWindow
        for (windowEnd, itemId) in timers.popDue(watermark: watermark) {
            let windowStart = windowEnd - size
            let closed = items.modify(itemId) { state -> ItemWindowFeatures? in
                guard let accumulator = state.openWindows.removeValue(forKey: windowStart) else { return nil }
                let previous = state.previousWindow.flatMap { $0.start == windowStart - size ? $0.score : nil } ?? 0
                state.previousWindow = (windowStart, accumulator.score)
                state.trend = accumulator.score - previous
                state.trendWindowEnd = windowEnd
                state.unpublished = true
                return ItemWindowAggregator.result(
                    accumulator, itemId: itemId, category: state.category, window: windowStart..<windowEnd,
                    previousScore: previous)
            }
            guard let features = closed ?? nil else { continue }
            sequence += 1
            counters.itemFeaturesEmitted += 1
            output.append(routes.itemFeatures(features, of: itemId, window: windowStart..<windowEnd))
            guard settings.emitsLists else { continue }  // the trend has no reader then (see `process`)
            publishRow(
                of: itemId, at: windowEnd - 1, table: table, causedBy: record, sequence: &sequence, into: &output)
        }
    }

    /// Publishes the item's table row — with neighbours and complements computed now if due (normalised by the
    /// partners' popularity in the item table), else as last published — and its `similar` list if the neighbours
    /// changed.
    private mutating func publishRow(
        of itemId: String, at time: Int64, table: ItemTable, causedBy record: StreamRecord, sequence: inout Int,
        into output: inout [OutputRecord]
    ) {
        let settings = self.settings
        let limits = coOccurrenceLimits
        let published = items.modify(itemId) { state -> (ItemTableRow, changedNeighbours: Bool) in
            let refresh = state.areNeighboursDue(at: time, settings)
            let counts = state.coOccurrence
            let related = table.read { items in
                guard refresh else {
                    let last = items.stats(of: itemId)
                    return (neighbours: last?.neighbours ?? [], complements: last?.complements ?? [])
                }
                return counts.related(count: settings.cf.neighbourCount, at: time, limits: limits) { partner, hash in
                    // A catalog-only row has no popularity yet. Read in place: copying the partner's row out was
                    // a tenth of `streamrec evaluate`'s time.
                    items.recentPopularity(of: partner, hash: hash, at: time, halfLife: limits.halfLife)
                }
            }
            var row = ItemTableRow(
                itemId: itemId, categoryId: state.category, score: state.totalScore, updatedAt: time)
            row.recentScore = counts.popularity(at: time, halfLife: limits.halfLife)
            row.trend = state.trend
            row.trendWindowEnd = state.trendWindowEnd
            row.neighbours = related.neighbours
            row.complements = related.complements
            state.lastPublished = max(state.lastPublished, time)
            state.unpublished = false
            guard refresh else { return (row, false) }
            state.lastNeighboursAt = time
            let digest = Self.digest(related.neighbours)
            let due =
                state.lastSimilarAt == .min || time - state.lastSimilarAt >= settings.cf.similarListInterval
            guard due, digest != state.similarDigest, !related.neighbours.isEmpty else { return (row, false) }
            state.similarDigest = digest
            state.lastSimilarAt = time
            return (row, true)
        }
        guard let (row, changedNeighbours) = published else { return }
        sequence += 1
        counters.tableRowsPublished += 1
        output.append(routes.tableRow(row, id: OutputHeaders.id(for: record, sequence: sequence)))
        guard changedNeighbours, settings.emitsLists else { return }
        counters.similarListsEmitted += 1
        output.append(routes.similarList(Recommendation.similar(to: row, at: time)))
    }

    /// The sum of the neighbour ids' hashes (FNV-1a, then mixed): it changes when the membership does, not when two
    /// neighbours of nearly equal similarity swap places (which happens all the time as counts decay). A sum needs no
    /// order, where hashing the ids in id order sorted a copy of them at every neighbour refresh.
    static func digest(_ neighbours: [RelatedItem]) -> UInt64 {
        var sum: UInt64 = 0
        for neighbour in neighbours {
            var hash = StableHash()
            hash.combine(neighbour.itemId)
            // SplitMix64's finaliser: FNV's low bits mix poorly, and a sum carries them up.
            var mixed = hash.value
            mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
            sum &+= mixed ^ (mixed >> 31)
        }
        return sum
    }

    private mutating func drop(_ itemId: String, _ state: ItemState, expired: Bool) {
        if expired { counters.itemsExpired += 1 } else { counters.itemsEvicted += 1 }
        for windowStart in state.openWindows.keys {
            timers.cancel(itemId, windowEnd: windowStart + settings.itemWindow)
            counters.windowsDroppedByEviction += 1
        }
    }
}

extension ItemTask.ItemState {
    /// Rows go out at most once per `tableUpdateInterval` of event time per item (and at every window close).
    func isRowDue(at time: Int64, _ settings: PipelineSettings) -> Bool {
        unpublished && (lastPublished == .min || time - lastPublished >= settings.tableUpdateInterval)
    }

    /// Computing neighbours costs a sort over the item's partners with a table lookup each, so it happens at most
    /// once per `neighbourRefreshInterval` per item; rows in between carry the last computed ones.
    func areNeighboursDue(at time: Int64, _ settings: PipelineSettings) -> Bool {
        lastNeighboursAt == .min || time - lastNeighboursAt >= settings.cf.neighbourRefreshInterval
    }
}
