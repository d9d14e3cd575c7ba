import StreamEngine

/// The work of one partition of the item shuffle topic: every event of the items that hash to it, from every user
/// partition of every instance. Keeps per-item 10-minute windows and publishes the item's row of the global table.
public struct ItemTask: Sendable {
    struct ItemState: Sendable {
        var category: String?
        var openWindows: [Int64: ItemWindowAggregator.Accumulator] = [:]
        /// The last closed window, for the trend.
        var previousWindow: (start: Int64, score: Double)?
        var totalScore = 0.0
        var lastPublished: Int64 = .min
    }

    public let partition: Int32
    private let settings: PipelineSettings
    private let windows: TumblingWindows
    // Bounds: maxItemsPerTask keys and itemTTL; timers hold one entry per open window.
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
        windows = TumblingWindows(size: settings.itemWindow)
        items = KeyedStateStore(bounds: .init(maxKeys: settings.maxItemsPerTask, ttl: settings.itemTTL))
        upstream = UpstreamWatermarks(partitions: settings.shufflePartitions, idleTimeout: settings.idleTimeout)
        changelog = ChangelogWriter(
            topic: settings.topics.changelog,
            partition: settings.changelogPartition(ofTaskReading: settings.topics.itemShuffle, partition: partition))
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

    /// Whether the record repeats one already taken from its upstream partition (see `upstreamPositions`).
    private mutating func isRepeated(_ record: StreamRecord) -> Bool {
        guard let header = record.headers.first(where: { $0.name == OutputHeaders.id })?.value,
            let position = OutputHeaders.position(inID: header)
        else { return false }
        if let last = upstreamPositions[position.partition], (position.offset, position.sequence) <= last {
            return true
        }
        upstreamPositions[position.partition] = (position.offset, position.sequence)
        return false
    }

    public var itemCount: Int { items.count }

    public mutating func process(_ record: StreamRecord, output: inout [OutputRecord]) {
        uncheckpointedOffset = record.offset + 1
        guard !isRepeated(record) else {
            counters.repeatsDropped += 1
            return
        }
        let now = ContinuousClock.now
        if let announced = UpstreamWatermarks.decode(record) {
            // A progress announcement of a user partition: no event, only event time moving on.
            upstream.observe(upstream: announced.partition, watermark: announced.watermark, at: now)
            var sequence = 0
            advanceTime(at: now, causedBy: record, sequence: &sequence, into: &output)
            return
        }
        guard let value = record.value, let event = try? EventCodec.decode(value, format: .json) else {
            // Only StreamRec writes this topic; a record it cannot read is still kept, never skipped silently.
            counters.deadLettered += 1
            output.append(
                OutputHeaders.setAside(record, to: settings.topics.deadLetter, reason: "unreadable item-shuffle record")
            )
            return
        }
        let windowEnd = windows.end(of: event.timestamp)
        guard windowEnd > watermark else {
            counters.late += 1
            let reason = "late at the item task: event time \(event.timestamp), watermark \(watermark)"
            output.append(OutputHeaders.setAside(record, to: settings.topics.late, reason: reason))
            return
        }
        counters.itemEventsProcessed += 1
        let windowStart = windowEnd - settings.itemWindow
        let settings = self.settings
        let (outcome, evicted) = items.update(event.itemId, at: event.timestamp, default: { ItemState() }) {
            state -> (newWindow: Bool, row: ItemTableRow?) in
            if let category = event.categoryId { state.category = category }
            let newWindow = state.openWindows[windowStart] == nil
            ItemWindowAggregator.add(
                event, weights: settings.behaviorWeights, to: &state.openWindows[windowStart, default: .init()])
            state.totalScore += settings.behaviorWeights[event.behavior]
            guard state.lastPublished == .min || event.timestamp - state.lastPublished >= settings.tableUpdateInterval
            else { return (newWindow, nil) }
            state.lastPublished = max(state.lastPublished, event.timestamp)
            return (
                newWindow,
                ItemTableRow(
                    itemId: event.itemId, categoryId: state.category, score: state.totalScore,
                    updatedAt: event.timestamp)
            )
        }
        var sequence = 0
        if outcome.newWindow { timers.register(event.itemId, windowEnd: windowEnd) }
        if let evicted { drop(evicted.key, evicted.value, expired: false) }
        if let row = outcome.row { publish(row, causedBy: record, sequence: &sequence, into: &output) }
        advanceTime(at: now, causedBy: record, sequence: &sequence, into: &output)
    }

    /// Moves the watermark to the slowest live upstream partition, fires the windows it passed, expires old items.
    private mutating func advanceTime(
        at now: ContinuousClock.Instant, causedBy record: StreamRecord, sequence: inout Int,
        into output: inout [OutputRecord]
    ) {
        watermark = max(watermark, upstream.watermark(at: now))
        fireWindows(causedBy: record, sequence: &sequence, into: &output)
        for (itemId, state) in items.expire(watermark: watermark) { drop(itemId, state, expired: true) }
    }

    private mutating func fireWindows(
        causedBy record: StreamRecord, sequence: inout Int, into output: inout [OutputRecord]
    ) {
        let size = settings.itemWindow
        for (windowEnd, itemId) in timers.popDue(watermark: watermark) {
            let windowStart = windowEnd - size
            let closed = items.modify(itemId) { state -> (ItemWindowFeatures, ItemTableRow)? in
                guard let accumulator = state.openWindows.removeValue(forKey: windowStart) else { return nil }
                let previous = state.previousWindow.flatMap { $0.start == windowStart - size ? $0.score : nil } ?? 0
                state.previousWindow = (windowStart, accumulator.score)
                state.lastPublished = max(state.lastPublished, windowEnd - 1)
                let features = ItemWindowAggregator.result(
                    accumulator, itemId: itemId, category: state.category, window: windowStart..<windowEnd,
                    previousScore: previous)
                return (
                    features,
                    ItemTableRow(
                        itemId: itemId, categoryId: state.category, score: state.totalScore, updatedAt: windowEnd - 1)
                )
            }
            guard let (features, row) = closed ?? nil else { continue }
            sequence += 1
            counters.itemFeaturesEmitted += 1
            output.append(
                OutputRecord(
                    topic: settings.topics.itemFeatures, key: Array(itemId.utf8), value: features.encodeJSON(),
                    timestamp: windowEnd - 1,
                    headers: [OutputHeaders.id(window: windowStart, of: itemId, in: settings.topics.itemFeatures)]))
            publish(row, causedBy: record, sequence: &sequence, into: &output)
        }
    }

    private mutating func publish(
        _ row: ItemTableRow, causedBy record: StreamRecord, sequence: inout Int, into output: inout [OutputRecord]
    ) {
        sequence += 1
        counters.tableRowsPublished += 1
        output.append(
            OutputRecord(
                topic: settings.topics.itemTable, key: Array(row.itemId.utf8), value: row.encodeJSON(),
                timestamp: row.updatedAt, headers: [OutputHeaders.id(for: record, sequence: sequence)]))
    }

    private mutating func drop(_ itemId: String, _ state: ItemState, expired: Bool) {
        if expired { counters.itemsExpired += 1 } else { counters.itemsEvicted += 1 }
        for windowStart in state.openWindows.keys {
            timers.cancel(itemId, windowEnd: windowStart + settings.itemWindow)
            counters.windowsDroppedByEviction += 1
        }
    }
}
