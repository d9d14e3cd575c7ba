import Recommender
import StreamEngine
import Topology

/// Interactive queries, as Kafka Streams calls them: the latest results of this instance's user tasks — each user's
/// list per surface and last window's features — kept as the lanes produce them, so an app can ask for them over
/// HTTP instead of reading the topics. Answers are what the tasks computed, never recomputed for the request.
///
/// Results are kept from the moment a task sends them, before the checkpoint that commits them: with exactly-once a
/// crash aborts that checkpoint, and the re-run produces the same lists with the same ids (processing is
/// deterministic), so a served list is never one a `read_committed` reader will not also see.
public final class ServingView: Sendable {
    public let inputPartitions: Int32
    public let ownership = PartitionOwnership()
    public let subscriptions: ResultSubscriptions
    private let topics: OutputTopics
    /// Users spread over shards so lanes and request handlers rarely wait for one another.
    private let shards: [Locked<BoundedCache<String, UserResults>>]
    private static let shardCount = 16

    /// `maxUsers` bounds the users whose results are kept (oldest written first out); a user not kept answers 404
    /// until the user's next list. `maxSubscribers` bounds the server-sent-event clients.
    public init(inputPartitions: Int32, topics: OutputTopics, maxUsers: Int, maxSubscribers: Int = 1_000) {
        self.inputPartitions = inputPartitions
        subscriptions = ResultSubscriptions(maxSubscribers: maxSubscribers)
        self.topics = topics
        let perShard = max(1, maxUsers / Self.shardCount)
        shards = (0..<Self.shardCount).map { _ in
            Locked(BoundedCache(bounds: CacheBounds(maxEntries: perShard, expireAfterWrite: .max)))
        }
    }

    /// The input partition that holds a user's state: Kafka's default partitioner on the key.
    public func partition(ofUser userId: String) -> Int32 {
        KeyPartitioner.partition(for: Array(userId.utf8), partitionCount: inputPartitions)
    }

    /// What this instance can say about a user.
    public enum Lookup: Sendable, Equatable {
        /// The user's partition is served here; nil when the user has no results (unknown, or not acted since).
        case owned(UserResults?, partition: Int32)
        /// The partition was just assigned and its state is being restored.
        case restoring(partition: Int32)
        case notOwned(partition: Int32)
    }

    public func lookup(user userId: String) -> Lookup {
        let partition = partition(ofUser: userId)
        switch ownership.status(of: partition) {
        case .notOwned: return .notOwned(partition: partition)
        case .restoring: return .restoring(partition: partition)
        case .ready(let epoch):
            let results = shard(of: userId).withLock { $0.peek(userId) }
            return .owned(results?.epoch == epoch ? results : nil, partition: partition)
        }
    }

    /// Takes the user results among a lane's outputs (called on the lane's thread after each batch).
    public func record(_ outputs: [OutputRecord]) {
        for output in outputs {
            guard output.topic == topics.recommendations || output.topic == topics.userFeatures,
                let key = output.key, let value = output.value
            else { continue }
            if output.topic == topics.recommendations {
                guard let surfaceName = output.headerText(OutputHeaders.surface),
                    let surface = Surface(rawValue: surfaceName), surface != .similar
                else { continue }
                let list = ServedList(
                    surface: surface, json: value, id: output.headerText(OutputHeaders.id) ?? "",
                    generatedAt: output.timestamp ?? 0)
                let userId = String(decoding: key, as: UTF8.self)
                update(userId, at: list.generatedAt) { $0.lists[surface] = list }
                subscriptions.publish(list, to: userId)
            } else {
                update(String(decoding: key, as: UTF8.self), at: output.timestamp ?? 0) { $0.features = value }
            }
        }
    }

    /// Keeps a list computed for a request (not produced by a task), unless the user has a list of that surface by
    /// now — which is newer.
    public func keepComputed(_ list: ServedList, of userId: String) {
        update(userId, at: list.generatedAt) { results in
            if results.lists[list.surface] == nil { results.lists[list.surface] = list }
        }
    }

    /// Marks partitions as being restored (their results are not answerable yet).
    public func restoring(_ partitions: [Int32]) { ownership.restoring(partitions) }

    /// Marks restored partitions answerable, under a new epoch.
    public func ready(_ partitions: [Int32]) { ownership.ready(partitions) }

    /// Stops serving partitions that moved away and ends their users' event streams.
    public func revoked(_ partitions: [Int32]) {
        ownership.revoked(partitions)
        let leaving = Set(partitions)
        subscriptions.finish { leaving.contains(self.partition(ofUser: $0)) }
    }

    private func update(_ userId: String, at time: Int64, _ change: (inout UserResults) -> Void) {
        guard case .ready(let epoch) = ownership.status(of: partition(ofUser: userId)) else { return }
        shard(of: userId).withLock { cache in
            var results = cache.peek(userId).flatMap { $0.epoch == epoch ? $0 : nil } ?? UserResults(epoch: epoch)
            change(&results)
            cache.set(results, for: userId, now: time)
        }
    }

    private func shard(of userId: String) -> Locked<BoundedCache<String, UserResults>> {
        // Swift's per-process hash: independent of the Kafka partition, so one partition's users spread over all shards.
        shards[Int(UInt(bitPattern: userId.hashValue) % UInt(Self.shardCount))]
    }

    /// Users whose results are kept, over all shards.
    public var userCount: Int { shards.reduce(0) { $0 + $1.withLock { $0.count } } }
}

/// The view learns lists as the lanes make them, before their transaction commits, so it answers with a list as soon
/// as it exists.
extension ServingView: OutputObserver {
    public func observe(_ outputs: [OutputRecord]) { record(outputs) }
}
