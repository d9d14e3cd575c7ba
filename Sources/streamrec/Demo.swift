import ArgumentParser
import Evaluation
import Foundation
import Kafka
import Recommender
import StreamEngine
import Topology
import Worker

/// `streamrec demo`: the whole pipeline in one process on an embedded Kafka cluster, with a live view in the
/// terminal and the web console (and the `/v1` API) on the HTTP port.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run everything in one process: an embedded Kafka cluster, an event generator and a worker, "
            + "with a live view of a few users' events and their fresh recommendations, and the web console.")

    @Option(help: "Seconds to run (0: until Ctrl-C).") var duration: Double = 60
    @Option(help: "Events per second from the generator.") var rate: Double = 5_000
    @Option(help: "Seconds of event time per second of wall-clock time, so 5-minute windows close quickly.")
    var timeScale: Double = 60
    @Option(help: "Users, items and categories of the generator.") var users = 2_000
    @Option var items = 5_000
    @Option var categories = 30
    @Option(help: "Partitions of the input topic.") var partitions = 8
    @Option(help: "Users shown in the live view.") var watch = 3
    @Option(help: "One malformed record per this many events, to show the dead-letter topic (0: none).")
    var badRecordEvery = 1_000
    @Flag(help: "Print plain blocks instead of redrawing the screen.") var plain = false
    // For scripted checks, which then wait for what they check instead of a guessed time.
    @Flag(help: "Stop once a screen has shown a watched user's ranked feed and topics; --duration still bounds it.")
    var untilShown = false
    @OptionGroup(title: "HTTP") var http: HTTPOptions

    func validate() throws {
        guard rate > 0, timeScale > 0 else { throw ValidationError("--rate and --time-scale must be positive") }
        guard duration >= 0, users > 0, items > 0, categories > 0, partitions > 0, watch >= 0 else {
            throw ValidationError("--duration, --users, --items, --categories, --partitions, --watch must be positive")
        }
    }

    func run() async throws {
        let http = try self.http.resolve(ConfigurationSources())
        let cluster = try EmbeddedCluster(brokers: 1)
        var options = try WorkerOptions.embedded(cluster, group: "streamrec-demo", partitions: partitions)
        // The demo starts from an empty item table and shows the watched users' feeds live: a feed ranked before
        // the table filled would stay empty until that user acts again, so the demo refreshes feeds at window close
        // (`--refresh-feeds-at-window-close`; `run`'s default is off).
        options.pipeline.refreshesCurrentFeedsAtWindowClose = true
        let configuration = options.kafka

        let view = LiveView(watching: watch)
        let worker = try Worker(options: options, observer: { view.observe($0) })
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { withExtendedLifetime(signals) {} }

        let workerJob = BackgroundJob(name: "worker") { try worker.run(until: stop) }
        // The generator starts once the worker owns its partitions: the embedded cluster keeps only ~5 MB per
        // partition, so a backlog built up during the group join could be gone before the worker reads it.
        let joinDeadline = ContinuousClock.now + .seconds(60)
        while worker.statistics.assignedPartitions.isEmpty, workerJob.failure == nil, !stop.isStopped,
            ContinuousClock.now < joinDeadline
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        let producerProperties = configuration.properties
        let generatorJob = BackgroundJob(name: "generator") {
            [
                rate, timeScale, users, items, categories, badRecordEvery, bootstrap = cluster.bootstrapServers,
                input = options.topics.input, catalog = options.topics.catalog
            ] in
            // Created and destroyed on this thread, so no client outlives the demo's cluster.
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(bootstrapServers: bootstrap, properties: producerProperties))
            let publisher = EventPublisher(producer: producer, topic: input)
            var generator = SyntheticEventGenerator(
                seed: 7, users: users, items: items, categories: categories,
                startTime: Int64(Date().timeIntervalSince1970 * 1_000), eventsPerSecond: rate / timeScale)
            // The app's catalog first: categories and creators of every item (the creators surface needs them).
            for item in 0..<items {
                let record = generator.catalogRecord(ofItem: item)
                try producer.send(OutputRecord(topic: catalog, key: Array(record.key.utf8), value: record.value))
                if item % 500 == 0 { producer.poll() }
            }
            let pacer = RatePacer(perSecond: rate)
            var sent = 0
            while !stop.isStopped {
                pacer.wait(forItem: sent)
                sent += 1
                if badRecordEvery > 0, sent % badRecordEvery == 0 {
                    try publisher.publishRaw(key: "u?", value: Array(#"{"userId":"u1","behavior":"teleport"}"#.utf8))
                } else {
                    try publisher.publish(generator.next())
                }
                if sent % 500 == 0 { producer.poll() }
                view.produced(sent)
            }
            try producer.flush()
        }

        print("StreamRec demo: embedded Kafka at \(cluster.bootstrapServers); Ctrl-C stops.")
        let server = ConsoleServer.start(worker, http: http, users: { view.watchedUsers })
        let start = ContinuousClock.now
        var previous = (time: start, consumed: 0)
        while !stop.isStopped {
            try await Task.sleep(for: .seconds(1))
            let statistics = worker.statistics
            let now = ContinuousClock.now
            let rate = Double(statistics.recordsConsumed - previous.consumed) / (now - previous.time).inSeconds
            previous = (now, statistics.recordsConsumed)
            let elapsed = (now - start).inSeconds
            let screen = view.render(
                statistics: statistics, eventsPerSecond: rate, elapsed: elapsed, plain: plain, console: server?.url)
            print(screen.text)
            if duration > 0, elapsed >= duration { stop.stop() }
            if untilShown, screen.showsFeedAndTopics { stop.stop() }
            if workerJob.failure != nil || generatorJob.failure != nil || server?.failure != nil { stop.stop() }
        }
        try generatorJob.join()
        try workerJob.join()
        try await server?.stop()
        let statistics = worker.statistics
        let elapsed = (ContinuousClock.now - start).inSeconds
        print(
            """

            Summary after \(Int(elapsed)) s: \(view.producedCount) events produced, \
            \(statistics.recordsConsumed) consumed (\(Int(Double(statistics.recordsConsumed) / elapsed)) events/s), \
            \(statistics.pipeline.recommendationsEmitted) recommendation lists, \
            \(statistics.pipeline.featuresEmitted) user-feature windows, \
            \(statistics.pipeline.itemFeaturesEmitted) item-feature windows, \
            \(statistics.pipeline.deadLettered) dead letters, \(statistics.pipeline.late) late, \
            \(statistics.commits) commits.
            """)
        // Every client above must be gone before the brokers they talk to.
        withExtendedLifetime(cluster) {}
    }
}
