/// Why a record is not a valid behavior event: the reason, the field it concerns, and what was found.
/// `reason` is also the record's class in the dead-letter topic (`streamrec-error-class` header) and metrics.
///
/// `description` is what goes into the dead-letter header, e.g.
/// `field 'timestamp': wrongType — expected epoch milliseconds as an integer, got a string`.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// The record is empty or whitespace only.
        case emptyRecord
        /// JSON was required but the record does not start with `{`.
        case notJSON
        /// JSON syntax error: unexpected byte, bad escape, leading zero, trailing garbage, too deep, a repeated field.
        case malformed
        /// The record ends inside the JSON object (or inside a string, number, literal or UTF-8 sequence).
        case truncated
        /// Bytes that are not UTF-8, or a lone surrogate in a `\u` escape.
        case invalidUTF8
        /// A required field is absent (or null, or an empty CSV column).
        case missingField
        /// A field has the wrong JSON type, or a CSV timestamp is not an integer.
        case wrongType
        /// The behavior is none of view, click, favorite, cart, purchase (or pv, fav, buy).
        case unknownBehavior
        /// userId, itemId (or a CSV categoryId) is empty.
        case emptyId
        /// An id is longer than `BehaviorEvent.maxIdBytes` UTF-8 bytes.
        case idTooLong
        /// The timestamp is an integer outside `BehaviorEvent.timestampRange` (1970 to 2100, in milliseconds).
        case timestampOutOfRange
        /// A CSV record does not have exactly five columns.
        case wrongColumnCount
        /// The record has no value (a tombstone).
        case nullValue
        /// Key, value and headers together are larger than `PipelineSettings.maxRecordBytes`.
        case recordTooLarge
        /// The event time is more than `PipelineSettings.maxFutureSkew` after the record's Kafka timestamp.
        case timestampInFuture
    }

    public var reason: Reason
    /// The field concerned, when there is one (`timestamp`, `userId`, ...).
    public var field: String?
    /// What was found and what was expected.
    public var detail: String

    public init(_ reason: Reason, field: String? = nil, _ detail: String) {
        self.reason = reason
        self.field = field
        self.detail = detail
    }

    public var description: String {
        if let field { return "field '\(field)': \(reason.rawValue) — \(detail)" }
        return "\(reason.rawValue) — \(detail)"
    }
}
