import StreamEngine
import Synchronization

/// Clients waiting for a user's next lists (server-sent events). The lanes publish every list they produce; with
/// nobody subscribed that costs one atomic load.
public final class ResultSubscriptions: Sendable {
    /// Lists kept per subscriber that has not read them yet: a slow client skips to the newest, it never makes a
    /// lane wait or memory grow.
    public static let bufferedLists = 16
    private typealias Continuation = AsyncStream<SubscriptionEvent>.Continuation

    private struct State: Sendable {
        // Bound: `maxSubscribers` entries in all.
        var byUser: [String: [Int: Continuation]] = [:]
        var nextID = 0
    }

    private let state = Locked(State())
    private let count = Atomic<Int>(0)
    /// Open subscriptions this instance holds at most; `subscribe` refuses more.
    public let maxSubscribers: Int

    public init(maxSubscribers: Int = 1_000) {
        precondition(maxSubscribers > 0, "a subscription bound must allow one subscriber")
        self.maxSubscribers = maxSubscribers
    }

    public var subscriberCount: Int { count.load(ordering: .relaxed) }

    /// A subscription to the user's lists from now on, or nil when `maxSubscribers` are open already. Its stream
    /// ends when `finish` is called for the user's partition or the consumer stops iterating.
    public func subscribe(user: String) -> Subscription? {
        let (stream, continuation) = AsyncStream.makeStream(
            of: SubscriptionEvent.self, bufferingPolicy: .bufferingNewest(Self.bufferedLists))
        let id = state.withLock { state -> Int? in
            guard count.load(ordering: .relaxed) < maxSubscribers else { return nil }
            state.nextID += 1
            state.byUser[user, default: [:]][state.nextID] = continuation
            count.add(1, ordering: .relaxed)  // under the lock, so the bound holds under concurrent subscribes
            return state.nextID
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in self?.remove(user: user, id: id) }
        return Subscription(events: stream, continuation: continuation)
    }

    func publish(_ list: ServedList, to user: String) {
        guard count.load(ordering: .relaxed) > 0 else { return }
        let continuations = state.withLock { state in state.byUser[user].map { Array($0.values) } ?? [] }
        for continuation in continuations { continuation.yield(.list(list)) }
    }

    /// Ends the streams of users for whom `isLeaving` is true (their partition moved to another instance): the
    /// client reconnects and is sent to the new owner.
    func finish(where isLeaving: (String) -> Bool) {
        let leaving = state.withLock { state in
            state.byUser.filter { isLeaving($0.key) }.flatMap { Array($0.value.values) }
        }
        for continuation in leaving { continuation.finish() }
    }

    private func remove(user: String, id: Int) {
        state.withLock { state in
            guard state.byUser[user]?.removeValue(forKey: id) != nil else { return }
            if state.byUser[user]?.isEmpty == true { state.byUser[user] = nil }
            count.subtract(1, ordering: .relaxed)
        }
    }
}

/// What a subscriber is sent: a new list, or a heartbeat — a write that finds out whether the client is still
/// there, since a closed connection is only noticed when something is written to it.
public enum SubscriptionEvent: Sendable {
    case list(ServedList)
    case heartbeat
}

/// One subscriber's stream of events.
public struct Subscription: Sendable {
    public let events: AsyncStream<SubscriptionEvent>
    fileprivate let continuation: AsyncStream<SubscriptionEvent>.Continuation

    /// Puts a heartbeat in the stream (the server calls it every few seconds while the client is quiet).
    public func heartbeat() { continuation.yield(.heartbeat) }
}
