/// Why a record is not a valid behavior event: the reason, the field it concerns, and what was found.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case emptyRecord, malformed, truncated, invalidUTF8, missingField, wrongType, unknownBehavior, emptyId,
            idTooLong
        case timestampOutOfRange, wrongColumnCount
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
