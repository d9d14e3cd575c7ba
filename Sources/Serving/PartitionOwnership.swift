import StreamEngine

/// Which input partitions this instance serves, as the consumer group assigned them. A partition being restored is
/// owned but not yet answerable; each assignment gets a new epoch, so results kept from an earlier time the
/// partition was here are never served after it comes back (they may be older than what another instance produced
/// in between).
public final class PartitionOwnership: Sendable {
    public enum Status: Sendable, Equatable {
        case notOwned
        case restoring
        case ready(epoch: UInt64)
    }

    private struct State: Sendable {
        // Bound: one entry per input partition.
        var statuses: [Int32: Status] = [:]
        var nextEpoch: UInt64 = 1
    }

    private let state = Locked(State())

    public init() {}

    public func status(of partition: Int32) -> Status {
        state.withLock { $0.statuses[partition] ?? .notOwned }
    }

    public func restoring(_ partitions: [Int32]) {
        state.withLock { state in
            for partition in partitions { state.statuses[partition] = .restoring }
        }
    }

    public func ready(_ partitions: [Int32]) {
        state.withLock { state in
            for partition in partitions {
                state.statuses[partition] = .ready(epoch: state.nextEpoch)
                state.nextEpoch += 1
            }
        }
    }

    public func revoked(_ partitions: [Int32]) {
        state.withLock { state in
            for partition in partitions { state.statuses[partition] = nil }
        }
    }

    /// The partitions ready to answer, in order.
    public var readyPartitions: [Int32] {
        state.withLock { state in
            state.statuses.compactMap { partition, status in
                if case .ready = status { partition } else { nil }
            }.sorted()
        }
    }
}
