import Foundation

/// The tasks one lane runs: created and closed as partitions are assigned and revoked, fed records in offset order.
public protocol TaskSet: Sendable {
    /// Small numbers about the tasks (counters), published after every batch for statistics.
    associatedtype Summary: Sendable

    /// Creates the task of a partition, from its last checkpoint when there is one.
    mutating func open(_ partition: TopicPartition, restoring: RestoredTask?) throws(CheckpointDecodingError)
    mutating func close(_ partition: TopicPartition)
    mutating func process(_ record: StreamRecord, into output: inout [OutputRecord])
    /// Appends a checkpoint (changelog records and a marker) of every task that processed records since its last.
    mutating func checkpoint(into output: inout [OutputRecord])
    var summary: Summary { get }
}

/// A worker thread that owns a set of tasks: the poll loop hands it the records of its partitions, it processes them
/// in order and passes the outputs to `emit`. Lanes share nothing mutable; each partition belongs to one lane.
///
/// The queue between the poll loop and the lane is bounded by the caller: `queuedRecords` tells it when to pause
/// the lane's partitions instead of buffering more.
public final class Lane<Tasks: TaskSet>: @unchecked Sendable {
    private enum Command: Sendable {
        case records([StreamRecord])
        case open([TopicPartition], [TopicPartition: RestoredTask])
        case close([TopicPartition])
        case barrier(@Sendable (_ checkpoint: [OutputRecord], _ offsets: [TopicPartition: Int64]) -> Void)
        case read(@Sendable (inout Tasks) -> Void)
        case perform(@Sendable (inout Tasks, inout [OutputRecord]) -> Void)
        case stop
    }

    public let index: Int
    // Everything below is guarded by `condition`'s lock.
    private let condition = NSCondition()
    // Bound: the caller pauses partitions once `queuedRecords` passes its limit.
    private var commands: [Command] = []
    private var queued = 0
    /// True while the lane executes commands it took from the queue.
    private var busy = false
    private var stopped = false
    /// Next offset per partition processed since the last `takeProcessedOffsets`.
    private var processed: [TopicPartition: Int64] = [:]
    private var latestSummary: Tasks.Summary
    private var openFailure: (TopicPartition, CheckpointDecodingError)?

    /// `collector` is sent the outputs of each batch, on the lane's thread.
    public init(index: Int, tasks: Tasks, collector: some RecordCollector) {
        self.index = index
        latestSummary = tasks.summary
        let thread = Thread { [self] in self.run(tasks: tasks, emit: collector.send) }
        thread.name = "lane-\(index)"
        thread.start()
    }

    /// A lane whose outputs go to one function (tests, the in-process runners).
    public convenience init(index: Int, tasks: Tasks, emit: @escaping @Sendable ([OutputRecord]) -> Void) {
        self.init(index: index, tasks: tasks, collector: CollectingFunction(emit))
    }

    public var queuedRecords: Int { locked { queued } }

    /// The tasks' summary as of the last finished batch.
    public var summary: Tasks.Summary { locked { latestSummary } }

    /// Hands a batch of records (of this lane's partitions, in offset order per partition) to the lane.
    public func submit(_ records: [StreamRecord]) {
        guard !records.isEmpty else { return }
        enqueue(.records(records), count: records.count)
    }

    /// Creates the tasks of newly assigned partitions, from their checkpoints where given; returns when they exist.
    /// Throws when a checkpoint cannot be decoded (that task stays closed).
    public func open(
        _ partitions: [TopicPartition], restoring restored: [TopicPartition: RestoredTask] = [:]
    ) throws(LaneOpenError) {
        enqueue(.open(partitions, restored))
        waitUntilIdle()
        if let (partition, error) = locked({
            defer { openFailure = nil }; return openFailure
        }) {
            throw LaneOpenError(partition: partition, reason: error)
        }
    }

    /// Puts a checkpoint barrier behind the work queued so far and returns at once; records submitted later queue
    /// behind it. When the lane reaches it, its tasks write their checkpoint and `reached` gets those records and
    /// the next offsets processed since the last cut, on the lane's thread, before anything behind the barrier is
    /// processed or emitted — so `reached` can switch where the lane's later outputs go (aligned barriers).
    public func barrier(
        _ reached: @escaping @Sendable (_ checkpoint: [OutputRecord], _ offsets: [TopicPartition: Int64]) -> Void
    ) {
        enqueue(.barrier(reached))
    }

    /// Runs `body` on the lane's thread after the work queued before it, between two batches — a query of the
    /// tasks' state from another thread (the HTTP API). nil when the lane has stopped.
    public func read<R: Sendable>(_ body: @escaping @Sendable (inout Tasks) -> R) async -> R? {
        await withCheckedContinuation { (continuation: CheckedContinuation<R?, Never>) in
            condition.lock()
            guard !stopped else {
                condition.unlock()
                return continuation.resume(returning: nil)
            }
            commands.append(.read { tasks in continuation.resume(returning: body(&tasks)) })
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Runs `body` on the lane's thread after the work queued before it, like a batch of records: what it appends is
    /// emitted as the batch's outputs (an end of input, say). Returns at once; `waitUntilIdle` waits for it.
    public func perform(_ body: @escaping @Sendable (inout Tasks, inout [OutputRecord]) -> Void) {
        enqueue(.perform(body))
    }

    /// Closes the tasks of revoked partitions (after their queued records); returns when they are gone.
    public func close(_ partitions: [TopicPartition]) {
        enqueue(.close(partitions))
        waitUntilIdle()
    }

    /// Blocks until every submitted record is processed and its outputs emitted (or the lane stopped).
    public func waitUntilIdle() {
        condition.lock()
        while (!commands.isEmpty || busy) && !stopped { condition.wait() }
        condition.unlock()
    }

    /// Blocks until fewer than `limit` records are queued or `timeout` passed; returns whether the queue is below.
    @discardableResult
    public func waitUntilQueued(below limit: Int, timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(
            Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while queued >= limit {
            if !condition.wait(until: deadline) { return queued < limit }
        }
        return true
    }

    /// The next offsets of the records processed since the last call (call after `waitUntilIdle` for a cut).
    public func takeProcessedOffsets() -> [TopicPartition: Int64] {
        locked {
            defer { processed.removeAll() }
            return processed
        }
    }

    /// Finishes the queued work and ends the thread.
    public func stop() {
        enqueue(.stop)
        condition.lock()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func locked<R>(_ body: () -> R) -> R {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func enqueue(_ command: Command, count: Int = 0) {
        condition.lock()
        commands.append(command)
        queued += count
        condition.broadcast()
        condition.unlock()
    }

    private func run(tasks initial: Tasks, emit: ([OutputRecord]) -> Void) {
        var tasks = initial
        var outputs: [OutputRecord] = []
        while true {
            condition.lock()
            busy = false
            condition.broadcast()
            while commands.isEmpty { condition.wait() }
            let work = commands
            commands.removeAll()
            busy = true
            condition.unlock()

            for (position, command) in work.enumerated() {
                switch command {
                case .records(let records):
                    outputs.removeAll(keepingCapacity: true)
                    var positions: [TopicPartition: Int64] = [:]
                    for record in records {
                        tasks.process(record, into: &outputs)
                        positions[TopicPartition(topic: record.topic, partition: record.partition)] = record.offset + 1
                    }
                    emit(outputs)
                    let summary = tasks.summary
                    locked {
                        queued -= records.count
                        processed.merge(positions) { max($0, $1) }
                        latestSummary = summary
                        condition.broadcast()  // wakes a poll loop waiting for room
                    }
                case .open(let partitions, let restored):
                    var failure: (TopicPartition, CheckpointDecodingError)?
                    for partition in partitions {
                        do throws(CheckpointDecodingError) {
                            try tasks.open(partition, restoring: restored[partition])
                        } catch {
                            failure = (partition, error)
                        }
                    }
                    let summary = tasks.summary
                    locked {
                        latestSummary = summary
                        openFailure = failure
                    }
                case .barrier(let reached):
                    var records: [OutputRecord] = []
                    tasks.checkpoint(into: &records)
                    reached(records, takeProcessedOffsets())
                case .close(let partitions):
                    partitions.forEach { tasks.close($0) }
                    let summary = tasks.summary
                    locked {
                        partitions.forEach { processed[$0] = nil }
                        latestSummary = summary
                    }
                case .read(let body):
                    body(&tasks)
                case .perform(let body):
                    outputs.removeAll(keepingCapacity: true)
                    body(&tasks, &outputs)
                    emit(outputs)
                    let summary = tasks.summary
                    locked { latestSummary = summary }
                case .stop:
                    condition.lock()
                    busy = false
                    stopped = true
                    // Reads queued behind the stop still get their answer (no caller waits forever).
                    let reads = commands
                    commands.removeAll()
                    condition.broadcast()
                    condition.unlock()
                    for case .read(let body) in work[(position + 1)...] + reads { body(&tasks) }
                    return
                }
            }
        }
    }
}

/// A task whose checkpoint could not be read back.
public struct LaneOpenError: Error, Sendable, CustomStringConvertible {
    public var partition: TopicPartition
    public var reason: CheckpointDecodingError

    public var description: String { "cannot restore the task of \(partition): \(reason)" }
}
