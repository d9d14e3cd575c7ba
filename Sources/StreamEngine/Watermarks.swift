/// Event-time progress of one input partition with bounded out-of-orderness, as Flink's
/// `WatermarkStrategy.forBoundedOutOfOrderness`: after seeing event time t, no event older than
/// `t - maxOutOfOrderness` is expected any more.
public struct BoundedOutOfOrdernessWatermark: Sendable, Equatable {
    public let maxOutOfOrderness: Int64
    public private(set) var maxEventTime: Int64 = .min

    public init(maxOutOfOrderness: Int64) {
        precondition(maxOutOfOrderness >= 0, "out-of-orderness cannot be negative")
        self.maxOutOfOrderness = maxOutOfOrderness
    }

    public mutating func observe(eventTime: Int64) {
        maxEventTime = max(maxEventTime, eventTime)
    }

    /// The current watermark, or `Int64.min` before the first event.
    public var watermark: Int64 {
        maxEventTime == .min ? .min : maxEventTime - maxOutOfOrderness
    }
}

/// Tumbling (fixed, non-overlapping) event-time windows aligned to the epoch, as Flink's `TumblingEventTimeWindows`.
public struct TumblingWindows: Sendable, Equatable {
    public let size: Int64

    public init(size: Int64) {
        precondition(size > 0, "a window needs a positive size")
        self.size = size
    }

    /// Start of the window holding `timestamp` (floor division, so negative times land in the right window too).
    public func start(of timestamp: Int64) -> Int64 {
        let remainder = timestamp % size
        return timestamp - (remainder < 0 ? remainder + size : remainder)
    }

    public func end(of timestamp: Int64) -> Int64 { start(of: timestamp) + size }
}

/// Keys with open windows, ordered by window end, so a watermark can fire exactly the windows it passed.
/// Bound: one entry per (window end, key) pair that has an open window; the owner removes keys it evicts.
public struct WindowTimers<Key: Hashable & Sendable>: Sendable {
    private var keysByEnd: [Int64: Set<Key>] = [:]
    private var ends: [Int64] = []  // sorted ascending; few distinct ends are open at once

    public init() {}

    public var isEmpty: Bool { keysByEnd.isEmpty }
    public var count: Int { keysByEnd.values.reduce(0) { $0 + $1.count } }

    public mutating func register(_ key: Key, windowEnd: Int64) {
        if keysByEnd[windowEnd] == nil {
            let position = ends.firstIndex { $0 > windowEnd } ?? ends.endIndex
            ends.insert(windowEnd, at: position)
        }
        keysByEnd[windowEnd, default: []].insert(key)
    }

    /// Registers the open windows of restored state: `starts` lists the start of each open window of a value.
    public mutating func register<Value, Starts: Sequence<Int64>>(
        openWindowsOf entries: [(key: Key, value: Value)], size: Int64, starts: (Value) -> Starts
    ) {
        for (key, value) in entries {
            for start in starts(value) { register(key, windowEnd: start + size) }
        }
    }

    public mutating func cancel(_ key: Key, windowEnd: Int64) {
        keysByEnd[windowEnd]?.remove(key)
    }

    /// Removes and returns every (window end, key) with end <= watermark, earliest windows first and keys in a
    /// stable order within a window, so the firing order is the same on every replay.
    public mutating func popDue(watermark: Int64) -> [(windowEnd: Int64, key: Key)] where Key: Comparable {
        var due: [(windowEnd: Int64, key: Key)] = []
        while let first = ends.first, first <= watermark {
            ends.removeFirst()
            let keys = keysByEnd.removeValue(forKey: first) ?? []
            due += keys.sorted().map { (first, $0) }
        }
        return due
    }
}
