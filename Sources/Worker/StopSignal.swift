import Synchronization

/// A flag that asks a running loop to stop; set from any thread (a signal handler's task, a timer, a test).
public final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    public init() {}

    public func stop() { stopped.store(true, ordering: .releasing) }

    public var isStopped: Bool { stopped.load(ordering: .acquiring) }
}
