import Foundation
import StreamEngine

/// What one instance tells the others: the HTTP address it advertises and the input partitions it serves. Records
/// of the compacted `<app>-instances` topic, keyed by the address.
public struct InstanceAnnouncement: Sendable, Equatable, Codable {
    /// `host:port` other instances and clients reach this instance's HTTP API at (`--http-advertise`).
    public var instance: String
    /// Input partitions whose results this instance serves (restored and running).
    public var partitions: [Int32]
    /// Wall-clock milliseconds; when two instances claim a partition during a rebalance, the later claim wins.
    public var at: Int64

    public init(instance: String, partitions: [Int32], at: Int64) {
        self.instance = instance
        self.partitions = partitions
        self.at = at
    }

    public func encodeJSON() -> [UInt8] {
        Array((try? JSONEncoder().encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) -> InstanceAnnouncement? {
        try? JSONDecoder().decode(InstanceAnnouncement.self, from: Data(bytes))
    }
}

/// Which instance serves which input partition, from every instance's latest announcement: how a request for a user
/// whose partition is elsewhere finds its owner. Like Kafka Streams' `StreamsMetadata`, but through a topic, because
/// librdkafka's built-in assignors do not carry user data in the group's member metadata.
public final class InstanceDirectory: Sendable {
    // Bound: one announcement per instance of the group (a stopped instance announces no partitions).
    private let announcements = Locked<[String: InstanceAnnouncement]>([:])

    public init() {}

    /// Applies a record of the instances topic (a tombstone forgets the instance).
    public func apply(key: [UInt8]?, value: [UInt8]?) {
        guard let key else { return }
        let instance = String(decoding: key, as: UTF8.self)
        let announcement = value.flatMap(InstanceAnnouncement.decode)
        announcements.withLock { $0[instance] = announcement }
    }

    /// The instance that most recently claimed `partition`, other than `excluding` (this instance, which knows
    /// better from its own assignment).
    public func owner(of partition: Int32, excluding: String? = nil) -> String? {
        announcements.withLock { all in
            all.values.filter { $0.instance != excluding && $0.partitions.contains(partition) }
                .max { ($0.at, $0.instance) < ($1.at, $1.instance) }?.instance
        }
    }

    public var instances: [InstanceAnnouncement] {
        announcements.value.values.sorted { $0.instance < $1.instance }
    }
}
