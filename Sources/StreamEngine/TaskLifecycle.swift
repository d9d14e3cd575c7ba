/// Where a task (the work of one partition) is in its life, as Kafka Streams' `Task.State`:
///
///     created → restoring → running → suspended → closed
///                   ↑___________________|
///
/// A task is created when its partition is assigned, restores its state from the changelog, runs, and is suspended
/// when its work must stop (a revoke, a rewind to the last checkpoint); a suspended task is restored again (a rewind)
/// or closed (its partition moved away). A task whose restore fails is closed.
public enum TaskLifecycle: String, Sendable, CaseIterable {
    case created, restoring, running, suspended, closed

    /// Whether a task may move from `self` to `next`.
    public func allows(_ next: TaskLifecycle) -> Bool {
        switch (self, next) {
        case (.created, .restoring), (.restoring, .running), (.restoring, .closed), (.running, .suspended),
            (.suspended, .restoring), (.suspended, .closed):
            true
        default: false
        }
    }
}

/// The lifecycle of every task of one owner (the poll thread), by partition. An illegal move is a bug in the
/// owner: it traps in debug builds and is logged by the caller (`move` returns false) in release builds.
public struct TaskLifecycles: Sendable {
    // Bound: one entry per assigned partition (closed tasks are dropped).
    public private(set) var states: [TopicPartition: TaskLifecycle] = [:]

    public init() {}

    public func state(of partition: TopicPartition) -> TaskLifecycle? { states[partition] }

    /// Moves the task of `partition` to `next` (a partition without a task starts as `created`); returns whether
    /// the move was legal. A closed task is forgotten.
    @discardableResult
    public mutating func move(_ partition: TopicPartition, to next: TaskLifecycle) -> Bool {
        let current = states[partition] ?? .created
        guard current.allows(next) else {
            assertionFailure("task \(partition): \(current) → \(next) is not a legal move")
            return false
        }
        states[partition] = next == .closed ? nil : next
        return true
    }

    /// How many tasks are in each state.
    public var counts: [TaskLifecycle: Int] {
        states.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
