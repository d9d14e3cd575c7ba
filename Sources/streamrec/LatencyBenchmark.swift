import Foundation
import Kafka
import Recommender
import StreamEngine
import Worker

/// Event → recommendation latency at a fixed offered load: a worker with exactly-once checkpoints on a fresh embedded
/// cluster, a paced producer stamping each event with the wall clock, a `read_committed` reader of the
/// recommendations, and a monitor of the worker's commits. Only events after the warm-up (group joins, empty caches)
/// are measured.
struct LatencyBenchmark {
    var rate: Double
    var seconds: Double
    var warmupSeconds: Double
    var partitions: Int
    var lanes: Int
    var checkpointIntervalMilliseconds: Int
    var recommendationInterval: Int64
    var workload: BenchWorkload
    var users: Int?
    var items: Int?
    var categories: Int?

    struct Result {
        var histograms: LatencyHistograms
        /// Events the producer managed to offer per second (below `rate` when the producer itself falls behind).
        var offered: Double
        /// Events the worker processed per second while the load was measured.
        var processed: Double
        /// Events produced but not yet processed when the producer stopped.
        var backlog: Int
        var commits: Int
        /// The mean time a commit held the worker's poll thread (flushes, markers, EndTxn), over the whole run.
        var commitMilliseconds: Double

        /// Steady state: the worker kept up, and what it had not processed at the end is less than a checkpoint
        /// interval's worth.
        func sustained(checkpointInterval: Double) -> Bool {
            processed >= 0.97 * offered && Double(backlog) <= offered * max(checkpointInterval, 0.5)
        }
    }

    func run() throws -> Result {
        let cluster = try EmbeddedCluster()
        var options = try WorkerOptions.embedded(cluster, group: "bench-latency", partitions: partitions)
        options.guarantee = .exactlyOnce
        options.lanes = lanes
        options.checkpointIntervalMilliseconds = checkpointIntervalMilliseconds
        options.pipeline.recommendationInterval = recommendationInterval
        let recorder = LatencyRecorder(inputTopic: options.topics.input)
        let recommendations = options.topics.outputs.recommendations
        // The observer needs the worker's commit count; the worker needs the observer first.
        let commitCount = Locked<(@Sendable () -> Int)?>(nil)
        let worker = try Worker(options: options) { output in
            if output.topic == recommendations {
                recorder.recordSent(output, commitsBefore: commitCount.value?() ?? 0)
            }
        }
        commitCount.withLock { $0 = { [weak worker] in worker?.commitCount ?? 0 } }
        let stop = StopSignal()
        let workerJob = BackgroundJob(name: "bench-worker") { try worker.run(until: stop) }
        let monitorStop = StopSignal()
        let monitor = BackgroundJob(name: "bench-commits") {
            // The commit counter moves right after a transaction commits; polled every millisecond.
            var seen = 0
            while !monitorStop.isStopped {
                let commits = worker.statistics.commits
                for _ in seen..<max(seen, commits) { recorder.recordCommit() }
                seen = max(seen, commits)
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        let readerStop = StopSignal()
        let reader = try startReader(options.kafka, topic: recommendations, recorder: recorder, until: readerStop)
        defer {
            // Every client must be gone before the cluster they talk to.
            for (signal, job) in [(stop, workerJob), (monitorStop, monitor), (readerStop, reader)] {
                signal.stop()
                try? job.join()
            }
            withExtendedLifetime(cluster) {}
        }
        try waitUntil("the worker joined its group", seconds: 30) { worker.statistics.joined || workerJob.isFinished }
        if let failure = workerJob.failure { throw failure }

        let total = Int(rate * (warmupSeconds + seconds))
        let warmupEnd = Int(rate * warmupSeconds)
        var marks: (start: Int64, processedAtStart: Int, time: ContinuousClock.Instant) = (0, 0, .now)
        let production = try ContinuousClock().measure {
            try produce(total, options: options) { index, eventTime in
                guard index == warmupEnd else { return }
                marks = (eventTime, processed(worker), .now)
            }
        }
        let end = (time: ContinuousClock.now, processed: processed(worker), at: Int64(LatencyRecorder.now() / 1_000))
        let measured = (end.time - marks.time).inSeconds
        // Let the backlog drain (bounded: an overloaded run is reported as such, not waited out), then one more
        // commit so every list sent is covered, then the reader catches up.
        try? waitUntil("the backlog drained", seconds: 30) { processed(worker) >= total || workerJob.isFinished }
        let commitsBefore = worker.statistics.commits
        try? waitUntil("a last commit", seconds: 10) { worker.statistics.commits > commitsBefore }
        Thread.sleep(forTimeInterval: 0.5)
        stop.stop()
        try workerJob.join()
        let statistics = worker.statistics
        return Result(
            histograms: recorder.latencies(ofEventsIn: marks.start..<(end.at + 1)),
            offered: Double(total) / production.inSeconds,
            processed: Double(end.processed - marks.processedAtStart) / measured, backlog: total - end.processed,
            commits: recorder.commitCount,
            commitMilliseconds: Double(statistics.commitMilliseconds) / Double(max(statistics.commits, 1)))
    }

    private func processed(_ worker: Worker) -> Int {
        let counters = worker.statistics.pipeline
        return counters.eventsProcessed + counters.deadLettered + counters.late
    }

    /// Sends `count` generated events at `rate`, each stamped with the wall clock when it is sent.
    private func produce(
        _ count: Int, options: WorkerOptions, onEvent: (_ index: Int, _ eventTime: Int64) -> Void
    ) throws {
        let producer = try KafkaProducer(configuration: options.kafka)
        let publisher = EventPublisher(producer: producer, topic: options.topics.input)
        let events = workload.events(count: count, users: users, items: items, categories: categories)
        let pacer = RatePacer(perSecond: rate)
        for index in 0..<count {
            pacer.wait(forItem: index)
            var event = events[index]
            event.timestamp = LatencyRecorder.now() / 1_000
            onEvent(index, event.timestamp)
            try publisher.publish(event)
            if index % 1_000 == 0 { producer.poll() }
        }
        try producer.flush()
    }

    /// A consumer of the recommendations as an app would run one: `read_committed`, fetching without waiting.
    /// Returns once it has its partitions, so it sees every list from the start.
    private func startReader(
        _ kafka: KafkaConfiguration, topic: String, recorder: LatencyRecorder, until stop: StopSignal
    ) throws -> BackgroundJob {
        var configuration = kafka
        configuration.groupID = "bench-latency-reader"
        configuration.isolationLevel = .readCommitted
        configuration.properties["fetch.wait.max.ms"] = "5"
        let consumer = try KafkaConsumer(configuration: configuration, maxBatchSize: 10_000)
        try consumer.subscribe([topic])
        let assigned = Locked(false)
        let job = BackgroundJob(name: "bench-reader") {
            while !stop.isStopped {
                for record in consumer.pollBatch(timeoutMilliseconds: 10) { recorder.recordFetched(record) }
                if !assigned.value, !((try? consumer.assignment()) ?? []).isEmpty { assigned.withLock { $0 = true } }
            }
            try consumer.close()
        }
        try waitUntil("the reader got its partitions", seconds: 30) { assigned.value || job.isFinished }
        return job
    }
}

/// Waits (polling every 10 ms) until `condition` holds; throws after `seconds`.
func waitUntil(_ what: String, seconds: Double, _ condition: () -> Bool) throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            throw BenchError("timed out after \(Int(seconds)) s waiting: \(what)")
        }
        Thread.sleep(forTimeInterval: 0.01)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
