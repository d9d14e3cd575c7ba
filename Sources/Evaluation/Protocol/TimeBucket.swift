import Recommender

/// Calendar buckets of event time (UTC) for metrics over time: days, or ISO weeks starting on Monday.
public enum TimeBucket: String, Sendable, CaseIterable, Codable {
    case day, week

    static let dayMs: Int64 = 86_400_000

    /// Start (epoch ms, UTC midnight) of the bucket holding `time`.
    public func start(of time: Int64) -> Int64 {
        let day = floorDivide(time, Self.dayMs)
        switch self {
        case .day: return day * Self.dayMs
        case .week:
            // 1970-01-01 was a Thursday, so (day + 3) mod 7 is the number of days since Monday.
            let sinceMonday = day + 3 - floorDivide(day + 3, 7) * 7
            return (day - sinceMonday) * Self.dayMs
        }
    }

    /// `yyyy-mm-dd` (UTC) of an epoch-ms time — no locale, no time zone database.
    public static func date(of time: Int64) -> String {
        // Howard Hinnant's civil_from_days.
        let days = floorDivide(time, dayMs) + 719_468
        let era = floorDivide(days, 146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}

extension TimeBucket {
    /// `yyyy-mm-dd hh:mm:ss` (UTC) of an epoch-ms time.
    public static func time(of time: Int64) -> String {
        let seconds = floorDivide(time, 1_000) - floorDivide(time, dayMs) * 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date(of: time)) \(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }
}

func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
}
