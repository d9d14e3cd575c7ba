import ArgumentParser
import Foundation
import Kafka
import Logging
import Operations
import ServiceLifecycle
import Worker

/// `streamrec run`: one worker of a consumer group, with its metrics and health endpoints.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: consume user-behavior in a group, write features, recommendations and dead letters.")

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup(title: "Recommender") var recommender: RecommenderOptions
    @Flag(help: "Create the topics (admin API) before starting; existing topics are left as they are.")
    var createTopics = false
    @OptionGroup(title: "HTTP") var http: HTTPOptions
    @Option(Run.maxEventStreams) var maxEventStreams: Int?
    @Option(Run.httpAdvertise) var httpAdvertise: String?
    @Option(Run.servedUsers) var servedUsers: Int?
    @Option(Run.stallTimeout) var stallTimeoutMs: Int?
    @Option(Run.gracePeriod) var gracePeriodSeconds: Int?
    @Option(Run.logFormat) var logFormat: LogFormat?
    @Option(
        help: "JSON file of settings, keys as the flags: {\"top-n\": 20, \"kafka\": {\"security.protocol\": \"SSL\"}}.")
    var configFile: String?

    static let maxEventStreams = Setting<Int>(
        "max-event-streams", default: WorkerOptions.defaults.maxEventStreams, bound: .positive,
        help: "Server-sent-event clients this instance holds at once; more get 503.")
    static let httpAdvertise = Setting<String>(
        "http-advertise", default: nil, bound: .hostAndPort,
        help: "host:port other instances and clients reach this instance's HTTP API at; announced to the group so a "
            + "request for a user served elsewhere is redirected there.", defaultText: "none, answer 503 instead")
    static let servedUsers = Setting<Int>(
        "served-users", default: WorkerOptions.defaults.maxServedUsers, bound: .positive,
        help: "Users whose latest lists and features the HTTP API keeps.")
    static let stallTimeout = Setting<Int>(
        "stall-timeout-ms", default: WorkerOptions.defaults.stallTimeoutMilliseconds, bound: .positive,
        help: "Milliseconds records may stay uncommitted before /health/ready says not ready.")
    static let gracePeriod = Setting<Int>(
        "grace-period-seconds", default: 30, bound: .positive,
        help: "Seconds a SIGTERM may take to finish the last commit.")
    static let logFormat = Setting<LogFormat>(
        "log-format", default: .text, help: "Log format: text or json (one object per line, for log shippers).")

    func run() async throws {
        let sources = try await ConfigurationSources.load(file: configFile)
        var options = try pipeline.workerOptions(
            kafka: try kafka.configuration(sources), recommender: recommender, sources: sources)
        let http = try self.http.resolve(sources)
        let gracePeriodSeconds = try sources.value(of: Self.gracePeriod, flag: gracePeriodSeconds)
        options.httpAdvertise = try sources.optionalValue(of: Self.httpAdvertise, flag: httpAdvertise)
        options.maxServedUsers = try sources.value(of: Self.servedUsers, flag: servedUsers)
        options.maxEventStreams = try sources.value(of: Self.maxEventStreams, flag: maxEventStreams)
        options.stallTimeoutMilliseconds = try sources.value(of: Self.stallTimeout, flag: stallTimeoutMs)
        guard options.stallTimeoutMilliseconds >= options.checkpointIntervalMilliseconds else {
            throw ValidationError(
                "--stall-timeout-ms must be at least the checkpoint interval "
                    + "(\(options.checkpointIntervalMilliseconds) ms), got \(options.stallTimeoutMilliseconds)")
        }
        try options.kafka.validate()
        if try sources.value(of: Self.logFormat, flag: logFormat) == .json {
            LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
        let logger = Logger(label: "streamrec")
        if createTopics {
            let admin = try KafkaAdmin(configuration: options.kafka)
            for (topic, outcome) in try admin.createTopics(options.topics.specifications).sorted(by: { $0.key < $1.key }
            ) {
                logger.info("topic \(topic): \(outcome)")
            }
        }
        let worker = try Worker(options: options, logger: logger)
        try await Self.serve(worker, http: http, grace: .seconds(gracePeriodSeconds), logger: logger)
        let statistics = worker.statistics
        print(
            "stopped: consumed \(statistics.recordsConsumed), produced \(statistics.recordsProduced), "
                + "dead-lettered \(statistics.pipeline.deadLettered), late \(statistics.pipeline.late)")
    }

    /// Runs the worker and (with a port) its HTTP server in one service group: SIGTERM or SIGINT shuts the worker
    /// down first (last commit, leave the group), then the server; past `grace` the group is cancelled.
    static func serve(_ worker: Worker, http: HTTPOptions.Resolved, grace: Duration, logger: Logger) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if http.port > 0 {
            for server in WorkerHTTPServer.applications(
                worker: worker, host: http.host, port: http.port, healthPort: http.healthPort, limits: http.limits,
                console: http.console, logger: logger)
            {
                services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup))
            }
        }
        // Last in the list, first to be shut down: the server keeps answering (not ready) while the worker drains.
        services.append(
            .init(
                service: WorkerService(worker: worker), successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = grace
        // The service group drains on the first signal; a second one means "now".
        let escalation = SignalTrap(stop: StopSignal())
        try await ServiceGroup(configuration: configuration).run()
        withExtendedLifetime(escalation) {}
    }
}

/// How `run` writes its log lines.
enum LogFormat: String, CaseIterable, SettingValue {
    case text
    /// One JSON object per line, for log shippers.
    case json
}

extension SettingBound where Value == String {
    /// `host:port`, the port 1...65535.
    static let hostAndPort = SettingBound(requirement: "host:port (e.g. worker-0.streamrec:8080)") { address in
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && Int(parts[1]).map { (1...65_535).contains($0) } == true
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
