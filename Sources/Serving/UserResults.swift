import Recommender

/// One recommendation list as the user task produced it: the exact JSON of the `recommendations` record.
public struct ServedList: Sendable, Equatable {
    public var surface: Surface
    public var json: [UInt8]
    /// The record's `streamrec-id`: the same list read from the topic and from the API has the same id.
    public var id: String
    public var generatedAt: Int64

    public init(surface: Surface, json: [UInt8], id: String, generatedAt: Int64) {
        self.surface = surface
        self.json = json
        self.id = id
        self.generatedAt = generatedAt
    }
}

/// The latest results of one user: a list per surface and the features of the last closed window.
public struct UserResults: Sendable, Equatable {
    /// The assignment of the user's partition these results were produced under (see `PartitionOwnership`).
    public var epoch: UInt64
    // Bound: one list per user surface (personalized, cart, topics, creators).
    public var lists: [Surface: ServedList] = [:]
    public var features: [UInt8]?

    public init(epoch: UInt64) {
        self.epoch = epoch
    }
}
