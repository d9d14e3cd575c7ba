/// One interaction of a user with an item — the record on `user-behavior`.
public struct BehaviorEvent: Sendable, Hashable, Codable {
    public var userId: String
    public var itemId: String
    public var behavior: Behavior
    /// Event time, epoch milliseconds.
    public var timestamp: Int64
    /// The item's category when the producer knows it.
    public var categoryId: String?

    public init(userId: String, itemId: String, behavior: Behavior, timestamp: Int64, categoryId: String? = nil) {
        self.userId = userId
        self.itemId = itemId
        self.behavior = behavior
        self.timestamp = timestamp
        self.categoryId = categoryId
    }

    /// Limits applied when decoding: ids are at most this many UTF-8 bytes.
    public static let maxIdBytes = 256
    /// Event times are accepted from the epoch up to 2100-01-01.
    public static let timestampRange: ClosedRange<Int64> = 1...4_102_444_800_000
}
