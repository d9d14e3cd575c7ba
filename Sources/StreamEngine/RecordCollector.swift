/// Where a lane's outputs go: one interface for every output of the topology, as Kafka Streams' `RecordCollector`.
/// The Kafka worker's collector hands them to the producer (through the lane's checkpoint gate), a replay's writes
/// files, a test's keeps them. What else must see the outputs — serving, metrics, a live view — is an
/// `OutputObserver` of the collector, not a line in a send closure.
public protocol RecordCollector: Sendable {
    /// The outputs of one batch, in order; called on the lane's thread.
    func send(_ outputs: [OutputRecord])
}

/// Sees outputs as a collector sends them.
public protocol OutputObserver: Sendable {
    func observe(_ outputs: [OutputRecord])
}

/// A collector that calls a function: for tests and the in-process runners, whose outputs go to one place.
public struct CollectingFunction: RecordCollector {
    private let body: @Sendable ([OutputRecord]) -> Void

    public init(_ body: @escaping @Sendable ([OutputRecord]) -> Void) { self.body = body }

    public func send(_ outputs: [OutputRecord]) { body(outputs) }
}
