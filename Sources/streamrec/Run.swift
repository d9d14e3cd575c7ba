import ArgumentParser
import Foundation
import Kafka
import Logging
import Worker

/// `streamrec run`: one worker of a consumer group.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: consume user-behavior in a group, write features, recommendations and dead letters.")

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var pipeline: PipelineOptions
    @Flag(help: "Create the topics (admin API) before starting; existing topics are left as they are.")
    var createTopics = false

    func run() throws {
        let options = try pipeline.workerOptions(kafka: kafka)
        let logger = Logger(label: "streamrec")
        if createTopics {
            let admin = try KafkaAdmin(configuration: options.kafka)
            for (topic, outcome) in try admin.createTopics(options.topics.specifications).sorted(by: { $0.key < $1.key }
            ) {
                logger.info("topic \(topic): \(outcome)")
            }
        }
        let worker = try Worker(options: options, logger: logger)
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        try worker.run(until: stop)
        let statistics = worker.statistics
        print(
            "stopped: consumed \(statistics.recordsConsumed), produced \(statistics.recordsProduced), "
                + "dead-lettered \(statistics.pipeline.deadLettered), late \(statistics.pipeline.late)")
    }
}

/// Turns SIGINT and SIGTERM into a stop request; a second signal exits at once.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopSignal) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.isStopped { exit(130) }
                FileHandle.standardError.write(Data("stopping (signal again to exit at once)\n".utf8))
                stop.stop()
            }
            source.resume()
            return source
        }
    }
}
