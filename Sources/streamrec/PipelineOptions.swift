import ArgumentParser
import Foundation
import Kafka
import Recommender
import Worker

/// Flags of the pipeline: topics, parallelism and the bounds of its state. Every one can also come from the
/// environment (`STREAMREC_<FLAG>`, e.g. `STREAMREC_TOP_N=20`) or a JSON config file (`{"top-n": 20}`); a flag
/// wins over the environment, which wins over the file. Hence no defaults here: they apply last, in `resolve`.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Consumer group id; instances with the same id share the input partitions. (default: streamrec)")
    var groupId: String?
    @Option(help: "Input topic of behavior events. (default: user-behavior)") var inputTopic: String?
    @Option(help: "Output topic of per-user window features. (default: user-features)") var userFeaturesTopic: String?
    @Option(help: "Output topic of per-item window features. (default: item-features)") var itemFeaturesTopic: String?
    @Option(
        help:
            "Application id: prefix of the internal topics (<app>-item-shuffle, <app>-item-table). (default: streamrec)"
    ) var applicationId: String?
    @Option(
        help:
            "Worker threads; each partition is pinned to one (default: the number of cores). (default: the number of cores)"
    ) var lanes: Int?
    @Option(help: "Records queued for one lane before its partitions are paused. (default: 20_000)")
    var maxQueuedPerLane: Int?
    @Option(help: "Output topic of recommendation lists. (default: recommendations)") var recommendationsTopic: String?
    @Option(help: "Dead-letter topic for records that do not decode. (default: user-behavior.dlq)") var dlqTopic:
        String?
    @Option(help: "Side output for events later than the watermark allows. (default: user-behavior.late)")
    var lateTopic: String?
    @Option(help: "Partitions of the input topic when StreamRec creates it. (default: 4)") var partitions: Int?
    @Option(help: "Items per recommendation list. (default: 10)") var topN: Int?
    @Option(help: "Interactions remembered per user (and what --filter-seen filters). (default: 200)") var historySize:
        Int?
    @Option(help: "User feature window, seconds of event time. (default: 300)") var userWindowSeconds: Int?
    @Option(help: "Allowed out-of-orderness of events, milliseconds. (default: 5_000)") var maxOutOfOrdernessMs: Int?
    @Option(name: PipelineOptions.maxUsers.name, help: PipelineOptions.maxUsers.help) var maxUsersPerPartition: Int?
    @Option(help: "Seconds of event time after which an inactive user is dropped. (default: 2_592_000)")
    var userTtlSeconds: Int?
    @Option(
        help: "Items in the local copy of the global item table (least recently updated evicted). (default: 200_000)")
    var maxItems: Int?
    @Option(help: "Item feature window, seconds of event time. (default: 600)") var itemWindowSeconds: Int?
    @Option(help: "Items kept per shuffle partition (least recently active evicted). (default: 200_000)")
    var maxItemsPerPartition: Int?
    @Option(help: "Seconds of event time after which an inactive item is dropped. (default: 604_800)")
    var itemTtlSeconds: Int?
    @Option(help: "Minimum milliseconds of event time between two item-table rows for one item. (default: 1_000)")
    var tableUpdateIntervalMs: Int?
    @Option(
        help:
            "Behavior weights, e.g. view=1,click=2,favorite=3,cart=4,purchase=5. (default: view=1,click=2,favorite=3,cart=4,purchase=5)"
    ) var behaviorWeights: String?
    @Option(help: "Minimum milliseconds of event time between two lists for a user (0: one per event). (default: 0)")
    var recommendationIntervalMs: Int?
    @Option(name: PipelineOptions.checkpointInterval.name, help: PipelineOptions.checkpointInterval.help)
    var checkpointIntervalMs: Int?
    @Option(name: PipelineOptions.guarantee.name, help: PipelineOptions.guarantee.help) var guarantee:
        DeliveryGuarantee?
    @Option(
        help:
            "Stable name of this instance, e.g. the pod name; the transactional id is <group-id>-<instance-id>. (default: <host name>-<process id>)"
    ) var instanceId: String?
    @Option(
        help:
            "Seconds after which a silent input partition stops holding back the item tasks' event time. (default: 30)")
    var idleTimeoutSeconds: Int?
    @Option(help: "Item catalog topic (compacted, key itemId, JSON with categoryId). (default: item-catalog)")
    var catalogTopic: String?
    @Option(
        help:
            "An input record with more bytes (key, value and headers) goes to the dead-letter topic. (default: 65_536)")
    var maxRecordBytes: Int?
    @Option(
        help:
            "An event time more than this many milliseconds after its record's Kafka timestamp goes to the dead-letter topic. (default: 3_600_000)"
    ) var maxFutureSkewMs: Int?

    static let maxUsers = Setting<Int>(
        "max-users-per-partition", default: PipelineSettings().maxUsersPerTask, bound: .positive,
        help: "Users kept per input partition (least recently active evicted).")
    static let checkpointInterval = Setting<Int>(
        "checkpoint-interval-ms", default: nil, bound: .positive,
        help: "Milliseconds between checkpoints (state changes, outputs and input offsets committed together).",
        defaultText: DeliveryGuarantee.allCases.map {
            "\(WorkerOptions.defaults(guarantee: $0).checkpointIntervalMilliseconds) with \($0.rawValue)"
        }.joined(separator: ", "))
    static let guarantee = Setting<DeliveryGuarantee>(
        "guarantee", default: WorkerOptions.defaults.guarantee,
        help: "exactly-once (Kafka transactions) or at-least-once.")

    /// The value of every setting, each from the first source that has it: flag, environment, file, default.
    func resolve(_ sources: ConfigurationSources) throws -> ResolvedPipelineOptions {
        ResolvedPipelineOptions(
            groupId: try sources.string("group-id", flag: groupId, default: "streamrec"),
            inputTopic: try sources.string("input-topic", flag: inputTopic, default: "user-behavior"),
            userFeaturesTopic: try sources.string(
                "user-features-topic", flag: userFeaturesTopic, default: "user-features"),
            itemFeaturesTopic: try sources.string(
                "item-features-topic", flag: itemFeaturesTopic, default: "item-features"),
            applicationId: try sources.string("application-id", flag: applicationId, default: "streamrec"),
            lanes: try sources.int("lanes", flag: lanes, default: ProcessInfo.processInfo.activeProcessorCount),
            maxQueuedPerLane: try sources.int("max-queued-per-lane", flag: maxQueuedPerLane, default: 20_000),
            recommendationsTopic: try sources.string(
                "recommendations-topic", flag: recommendationsTopic, default: "recommendations"),
            dlqTopic: try sources.string("dlq-topic", flag: dlqTopic, default: "user-behavior.dlq"),
            lateTopic: try sources.string("late-topic", flag: lateTopic, default: "user-behavior.late"),
            partitions: try sources.int("partitions", flag: partitions, default: 4),
            topN: try sources.int("top-n", flag: topN, default: 10),
            historySize: try sources.int("history-size", flag: historySize, default: PipelineSettings().historySize),
            userWindowSeconds: try sources.int("user-window-seconds", flag: userWindowSeconds, default: 300),
            maxOutOfOrdernessMs: try sources.int("max-out-of-orderness-ms", flag: maxOutOfOrdernessMs, default: 5_000),
            maxUsersPerPartition: try sources.value(of: Self.maxUsers, flag: maxUsersPerPartition),
            userTtlSeconds: try sources.int(
                "user-ttl-seconds", flag: userTtlSeconds, default: Int(PipelineSettings().userTTL / 1_000)),
            maxItems: try sources.int("max-items", flag: maxItems, default: 200_000),
            itemWindowSeconds: try sources.int("item-window-seconds", flag: itemWindowSeconds, default: 600),
            maxItemsPerPartition: try sources.int(
                "max-items-per-partition", flag: maxItemsPerPartition, default: 200_000),
            itemTtlSeconds: try sources.int("item-ttl-seconds", flag: itemTtlSeconds, default: 604_800),
            tableUpdateIntervalMs: try sources.int(
                "table-update-interval-ms", flag: tableUpdateIntervalMs, default: 1_000),
            behaviorWeights: try sources.string(
                "behavior-weights", flag: behaviorWeights, default: "view=1,click=2,favorite=3,cart=4,purchase=5"),
            recommendationIntervalMs: try sources.int(
                "recommendation-interval-ms", flag: recommendationIntervalMs, default: 0),
            checkpointIntervalMs: try sources.optionalValue(of: Self.checkpointInterval, flag: checkpointIntervalMs),
            guarantee: try sources.value(of: Self.guarantee, flag: guarantee),
            instanceId: try sources.string("instance-id", flag: instanceId, default: ""),
            idleTimeoutSeconds: try sources.int("idle-timeout-seconds", flag: idleTimeoutSeconds, default: 30),
            catalogTopic: try sources.string("catalog-topic", flag: catalogTopic, default: "item-catalog"),
            maxRecordBytes: try sources.int("max-record-bytes", flag: maxRecordBytes, default: 65_536),
            maxFutureSkewMs: try sources.int("max-future-skew-ms", flag: maxFutureSkewMs, default: 3_600_000)
        )
    }
}

/// The pipeline flags after resolution.
struct ResolvedPipelineOptions {
    var groupId: String
    var inputTopic: String
    var userFeaturesTopic: String
    var itemFeaturesTopic: String
    var applicationId: String
    var lanes: Int
    var maxQueuedPerLane: Int
    var recommendationsTopic: String
    var dlqTopic: String
    var lateTopic: String
    var partitions: Int
    var topN: Int
    var historySize: Int
    var userWindowSeconds: Int
    var maxOutOfOrdernessMs: Int
    var maxUsersPerPartition: Int
    var userTtlSeconds: Int
    var maxItems: Int
    var itemWindowSeconds: Int
    var maxItemsPerPartition: Int
    var itemTtlSeconds: Int
    var tableUpdateIntervalMs: Int
    var behaviorWeights: String
    var recommendationIntervalMs: Int
    /// nil: the guarantee's default (`WorkerOptions`).
    var checkpointIntervalMs: Int?
    var guarantee: DeliveryGuarantee
    /// Empty: the worker's default (host name and process id).
    var instanceId: String
    var idleTimeoutSeconds: Int
    var catalogTopic: String
    var maxRecordBytes: Int
    var maxFutureSkewMs: Int

    func workerOptions(
        kafka: KafkaConfiguration, recommender: RecommenderOptions, sources: ConfigurationSources
    ) throws -> WorkerOptions {
        var configuration = kafka
        configuration.groupID = groupId
        var options = WorkerOptions(kafka: configuration)
        var settings = PipelineSettings()
        settings.topics = OutputTopics(applicationID: applicationId)
        settings.topics.userFeatures = userFeaturesTopic
        settings.topics.itemFeatures = itemFeaturesTopic
        settings.topics.recommendations = recommendationsTopic
        settings.topics.deadLetter = dlqTopic
        settings.topics.late = lateTopic
        settings.topN = topN
        settings.historySize = historySize
        settings.userWindow = Int64(userWindowSeconds) * 1_000
        settings.maxOutOfOrderness = Int64(maxOutOfOrdernessMs)
        settings.maxUsersPerTask = maxUsersPerPartition
        settings.userTTL = Int64(userTtlSeconds) * 1_000
        settings.maxItems = maxItems
        settings.recommendationInterval = Int64(recommendationIntervalMs)
        settings.itemWindow = Int64(itemWindowSeconds) * 1_000
        settings.maxItemsPerTask = maxItemsPerPartition
        settings.itemTTL = Int64(itemTtlSeconds) * 1_000
        settings.tableUpdateInterval = Int64(tableUpdateIntervalMs)
        settings.shufflePartitions = Int32(clamping: partitions)
        settings.maxRecordBytes = maxRecordBytes
        settings.maxFutureSkew = Int64(maxFutureSkewMs)
        guard idleTimeoutSeconds > 0 else { throw ValidationError("--idle-timeout-seconds must be positive") }
        settings.idleTimeout = .seconds(idleTimeoutSeconds)
        try recommender.apply(sources, to: &settings)
        do {
            settings.behaviorWeights = try BehaviorWeights(parsing: behaviorWeights)
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        guard lanes > 0 else { throw ValidationError("--lanes must be positive, got \(lanes)") }
        guard maxQueuedPerLane > 0 else { throw ValidationError("--max-queued-per-lane must be positive") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive, got \(partitions)") }
        options.guarantee = guarantee
        if !instanceId.isEmpty { options.instanceID = instanceId }
        options.pipeline = settings
        options.topics.input = inputTopic
        options.topics.catalog = catalogTopic
        options.topics.outputs = settings.topics
        options.topics.inputPartitions = partitions
        if let checkpointIntervalMs { options.checkpointIntervalMilliseconds = checkpointIntervalMs }
        options.lanes = lanes
        options.maxQueuedPerLane = maxQueuedPerLane
        return options
    }
}

extension WorkerOptions {
    /// The worker's own defaults, which the settings of `run` show and fall back to.
    static let defaults = WorkerOptions(kafka: KafkaConfiguration(bootstrapServers: ""))

    static func defaults(guarantee: DeliveryGuarantee) -> WorkerOptions {
        var options = defaults
        options.guarantee = guarantee
        return options
    }
}

extension DeliveryGuarantee: SettingValue {}
