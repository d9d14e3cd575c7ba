import StreamEngine
import Synchronization

/// Clients waiting for a user's next lists (server-sent events). The lanes publish every list they produce; with
/// nobody subscribed that costs one atomic load.
public final class ResultSubscriptions: Sendable {
    /// Lists kept per subscriber that has not read them yet: a slow client skips to the newest, it never makes a
    /// lane wait or memory grow.
    public static let bufferedLists = 16
    private typealias Continuation = AsyncStream<ServedList>.Continuation

    private struct State: Sendable {
        // Bound: one entry per open connection (the HTTP server bounds connections).
        var byUser: [String: [Int: Continuation]] = [:]
        var nextID = 0
    }

    private let state = Locked(State())
    private let count = Atomic<Int>(0)

    public init() {}

    public var subscriberCount: Int { count.load(ordering: .relaxed) }

    /// A stream of the user's lists from now on; it ends when `finish` is called for the user's partition or the
    /// consumer stops iterating.
    public func subscribe(user: String) -> AsyncStream<ServedList> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ServedList.self, bufferingPolicy: .bufferingNewest(Self.bufferedLists))
        let id = state.withLock { state in
            state.nextID += 1
            state.byUser[user, default: [:]][state.nextID] = continuation
            return state.nextID
        }
        count.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in self?.remove(user: user, id: id) }
        return stream
    }

    func publish(_ list: ServedList, to user: String) {
        guard count.load(ordering: .relaxed) > 0 else { return }
        let continuations = state.withLock { state in state.byUser[user].map { Array($0.values) } ?? [] }
        for continuation in continuations { continuation.yield(list) }
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
        let removed = state.withLock { state -> Bool in
            guard state.byUser[user]?.removeValue(forKey: id) != nil else { return false }
            if state.byUser[user]?.isEmpty == true { state.byUser[user] = nil }
            return true
        }
        if removed { count.subtract(1, ordering: .relaxed) }
    }
}
