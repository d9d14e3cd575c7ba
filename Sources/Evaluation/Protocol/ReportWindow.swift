import Recommender

/// Which evaluation points are reported: those whose event time is in `[from, until)`. Every event is still trained
/// on, so a report over the second half of a time line has learned from the first — the honest way to tune on one
/// half and report on the other. A bound is given as a fraction of the events (0.5: the time of the middle event)
/// or as an epoch-ms timestamp.
public struct ReportWindow: Sendable, Equatable {
    public var from: Int64?
    public var until: Int64?

    public init(from: Int64? = nil, until: Int64? = nil) {
        self.from = from
        self.until = until
    }

    /// Resolves fractions against `times` (event times in time order).
    public init(from: Bound?, until: Bound?, times: [Int64]) {
        self.init(from: from?.time(in: times), until: until?.time(in: times))
    }

    public static let everything = ReportWindow()

    public func contains(_ time: Int64) -> Bool {
        (from.map { time >= $0 } ?? true) && (until.map { time < $0 } ?? true)
    }

    /// An event at `time` or later can no longer change a reported figure.
    public func isPast(_ time: Int64) -> Bool { until.map { time >= $0 } ?? false }

    /// A bound as the user gives it: a fraction strictly between 0 and 1, or an epoch-ms time.
    public enum Bound: Sendable, Equatable {
        case fraction(Double)
        case time(Int64)

        public init?(parsing text: String) {
            if let value = Double(text), value > 0, value < 1 {
                self = .fraction(value)
            } else if let value = Int64(text), value >= 1 {
                self = .time(value)
            } else {
                return nil
            }
        }

        /// The time of the event at this share of `times`, or the timestamp itself.
        func time(in times: [Int64]) -> Int64? {
            switch self {
            case .time(let time): return time
            case .fraction(let share):
                guard !times.isEmpty else { return nil }
                return times[min(Int(share * Double(times.count)), times.count - 1)]
            }
        }
    }
}
