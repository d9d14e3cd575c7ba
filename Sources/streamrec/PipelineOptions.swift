import ArgumentParser
import Foundation
import Kafka
import Recommender
import Topology
import Worker

/// Flags of the pipeline: topics, parallelism and the bounds of its state. Every one can also come from the
/// environment (`STREAMREC_<FLAG>`, e.g. `STREAMREC_TOP_N=20`) or a JSON config file (`{"top-n": 20}`); a flag
/// wins over the environment, which wins over the file. Hence no defaults on the flags: each `Setting` below holds
/// its key, default (the library's own), bound and help, and `resolve` applies them.
struct PipelineOptions: ParsableArguments {
    private static let pipeline = PipelineSettings()
    private static let layout = TopicLayout()

    static let groupId = Setting<String>(
        "group-id", default: "streamrec",
        help: "Consumer group id; instances with the same id share the input partitions.")
    static let inputTopic = Setting<String>(
        "input-topic", default: layout.input, help: "Input topic of behavior events.")
    static let userFeaturesTopic = Setting<String>(
        "user-features-topic", default: layout.outputs.userFeatures, help: "Output topic of per-user window features.")
    static let itemFeaturesTopic = Setting<String>(
        "item-features-topic", default: layout.outputs.itemFeatures, help: "Output topic of per-item window features.")
    static let applicationId = Setting<String>(
        "application-id", default: "streamrec",
        help: "Application id: prefix of the internal topics (<app>-item-shuffle, <app>-item-table).")
    static let lanes = Setting<Int>(
        "lanes", default: WorkerOptions.defaults.lanes, bound: .positive,
        help: "Worker threads; each partition is pinned to one.", defaultText: "the number of cores")
    static let maxQueuedPerLane = Setting<Int>(
        "max-queued-per-lane", default: WorkerOptions.defaults.maxQueuedPerLane, bound: .positive,
        help: "Records queued for one lane before its partitions are paused.")
    static let recommendationsTopic = Setting<String>(
        "recommendations-topic", default: layout.outputs.recommendations, help: "Output topic of recommendation lists.")
    static let dlqTopic = Setting<String>(
        "dlq-topic", default: layout.outputs.deadLetter, help: "Dead-letter topic for records that do not decode.")
    static let lateTopic = Setting<String>(
        "late-topic", default: layout.outputs.late, help: "Side output for events later than the watermark allows.")
    static let partitions = Setting<Int>(
        "partitions", default: layout.inputPartitions, bound: .positive,
        help: "Partitions of the input topic when StreamRec creates it.")
    static let topN = Setting<Int>(
        "top-n", default: pipeline.ranking.topN, bound: .positive, help: "Items per recommendation list.")
    static let historySize = Setting<Int>(
        "history-size", default: pipeline.user.historySize, bound: .positive,
        help: "Interactions remembered per user (and what --filter-seen filters).")
    static let userWindow = Setting<Int>(
        "user-window-seconds", default: Int(pipeline.userWindow / 1_000), bound: .positive,
        help: "User feature window, seconds of event time.")
    static let maxOutOfOrderness = Setting<Int>(
        "max-out-of-orderness-ms", default: Int(pipeline.maxOutOfOrderness), bound: .nonNegative,
        help: "Allowed out-of-orderness of events, milliseconds.")
    static let maxUsers = Setting<Int>(
        "max-users-per-partition", default: pipeline.maxUsersPerPartition, bound: .positive,
        help: "Users kept per input partition (least recently active evicted).")
    static let userTTL = Setting<Int>(
        "user-ttl-seconds", default: Int(pipeline.userTTL / 1_000), bound: .positive,
        help: "Seconds of event time after which an inactive user is dropped.")
    static let maxItems = Setting<Int>(
        "max-items", default: pipeline.maxItems, bound: .positive,
        help: "Items in the local copy of the global item table (least recently updated evicted).")
    static let itemWindow = Setting<Int>(
        "item-window-seconds", default: Int(pipeline.itemWindow / 1_000), bound: .positive,
        help: "Item feature window, seconds of event time.")
    static let maxItemsPerPartition = Setting<Int>(
        "max-items-per-partition", default: pipeline.maxItemsPerPartition, bound: .positive,
        help: "Items kept per shuffle partition (least recently active evicted).")
    static let itemTTL = Setting<Int>(
        "item-ttl-seconds", default: Int(pipeline.itemTTL / 1_000), bound: .positive,
        help: "Seconds of event time after which an inactive item is dropped.")
    static let tableUpdateInterval = Setting<Int>(
        "table-update-interval-ms", default: Int(pipeline.tableUpdateInterval), bound: .nonNegative,
        help: "Minimum milliseconds of event time between two item-table rows for one item.")
    static let behaviorWeights = Setting<String>(
        "behavior-weights", default: "view=1,click=2,favorite=3,cart=4,purchase=5",
        help: "Behavior weights, e.g. view=1,click=2,favorite=3,cart=4,purchase=5.")
    static let recommendationInterval = Setting<Int>(
        "recommendation-interval-ms", default: Int(pipeline.recommendationInterval), bound: .nonNegative,
        help: "Minimum milliseconds of event time between two lists for a user (0: one per event).")
    static let checkpointInterval = Setting<Int>(
        "checkpoint-interval-ms", default: nil, bound: .positive,
        help: "Milliseconds between checkpoints (state changes, outputs and input offsets committed together).",
        defaultText: DeliveryGuarantee.allCases.map {
            "\(WorkerOptions.defaults(guarantee: $0).checkpointIntervalMilliseconds) with \($0.rawValue)"
        }.joined(separator: ", "))
    static let guarantee = Setting<DeliveryGuarantee>(
        "guarantee", default: WorkerOptions.defaults.guarantee,
        help: "exactly-once (Kafka transactions) or at-least-once.")
    static let instanceId = Setting<String>(
        "instance-id", default: nil,
        help: "Stable name of this instance, e.g. the pod name; the transactional id is <group-id>-<instance-id>.",
        defaultText: "<host name>-<process id>")
    static let idleTimeout = Setting<Int>(
        "idle-timeout-seconds", default: Int((pipeline.idleTimeout ?? .zero) / .seconds(1)), bound: .positive,
        help: "Seconds after which a silent input partition stops holding back the item tasks' event time.")
    static let catalogTopic = Setting<String>(
        "catalog-topic", default: layout.catalog,
        help: "Item catalog topic (compacted, key itemId, JSON with categoryId).")
    static let maxRecordBytes = Setting<Int>(
        "max-record-bytes", default: pipeline.maxRecordBytes, bound: .positive,
        help: "An input record with more bytes (key, value and headers) goes to the dead-letter topic.")
    static let maxFutureSkew = Setting<Int>(
        "max-future-skew-ms", default: Int(pipeline.maxFutureSkew), bound: .nonNegative,
        help: "An event time more than this many milliseconds after its record's Kafka timestamp goes to the "
            + "dead-letter topic.")

    @Option(Self.groupId) var groupId: String?
    @Option(Self.inputTopic) var inputTopic: String?
    @Option(Self.userFeaturesTopic) var userFeaturesTopic: String?
    @Option(Self.itemFeaturesTopic) var itemFeaturesTopic: String?
    @Option(Self.applicationId) var applicationId: String?
    @Option(Self.lanes) var lanes: Int?
    @Option(Self.maxQueuedPerLane) var maxQueuedPerLane: Int?
    @Option(Self.recommendationsTopic) var recommendationsTopic: String?
    @Option(Self.dlqTopic) var dlqTopic: String?
    @Option(Self.lateTopic) var lateTopic: String?
    @Option(Self.partitions) var partitions: Int?
    @Option(Self.topN) var topN: Int?
    @Option(Self.historySize) var historySize: Int?
    @Option(Self.userWindow) var userWindowSeconds: Int?
    @Option(Self.maxOutOfOrderness) var maxOutOfOrdernessMs: Int?
    @Option(Self.maxUsers) var maxUsersPerPartition: Int?
    @Option(Self.userTTL) var userTtlSeconds: Int?
    @Option(Self.maxItems) var maxItems: Int?
    @Option(Self.itemWindow) var itemWindowSeconds: Int?
    @Option(Self.maxItemsPerPartition) var maxItemsPerPartition: Int?
    @Option(Self.itemTTL) var itemTtlSeconds: Int?
    @Option(Self.tableUpdateInterval) var tableUpdateIntervalMs: Int?
    @Option(Self.behaviorWeights) var behaviorWeights: String?
    @Option(Self.recommendationInterval) var recommendationIntervalMs: Int?
    @Option(Self.checkpointInterval) var checkpointIntervalMs: Int?
    @Option(Self.guarantee) var guarantee: DeliveryGuarantee?
    @Option(Self.instanceId) var instanceId: String?
    @Option(Self.idleTimeout) var idleTimeoutSeconds: Int?
    @Option(Self.catalogTopic) var catalogTopic: String?
    @Option(Self.maxRecordBytes) var maxRecordBytes: Int?
    @Option(Self.maxFutureSkew) var maxFutureSkewMs: Int?

    /// The worker's options, each setting from the first source that has it: flag, environment, file, default.
    func workerOptions(
        kafka: KafkaConfiguration, recommender: RecommenderOptions, sources: ConfigurationSources
    ) throws -> WorkerOptions {
        func value<Value>(_ setting: Setting<Value>, _ flag: Value?) throws -> Value {
            try sources.value(of: setting, flag: flag)
        }
        func milliseconds(_ setting: Setting<Int>, _ flag: Int?, per unit: Int64 = 1) throws -> Int64 {
            Int64(try value(setting, flag)) * unit
        }
        var configuration = kafka
        configuration.groupID = try value(Self.groupId, groupId)
        var options = WorkerOptions(kafka: configuration)
        var settings = PipelineSettings()
        settings.topics = OutputTopics(applicationID: try value(Self.applicationId, applicationId))
        settings.topics.userFeatures = try value(Self.userFeaturesTopic, userFeaturesTopic)
        settings.topics.itemFeatures = try value(Self.itemFeaturesTopic, itemFeaturesTopic)
        settings.topics.recommendations = try value(Self.recommendationsTopic, recommendationsTopic)
        settings.topics.deadLetter = try value(Self.dlqTopic, dlqTopic)
        settings.topics.late = try value(Self.lateTopic, lateTopic)
        settings.ranking.topN = try value(Self.topN, topN)
        settings.user.historySize = try value(Self.historySize, historySize)
        settings.userWindow = try milliseconds(Self.userWindow, userWindowSeconds, per: 1_000)
        settings.maxOutOfOrderness = try milliseconds(Self.maxOutOfOrderness, maxOutOfOrdernessMs)
        settings.maxUsersPerPartition = try value(Self.maxUsers, maxUsersPerPartition)
        settings.userTTL = try milliseconds(Self.userTTL, userTtlSeconds, per: 1_000)
        settings.maxItems = try value(Self.maxItems, maxItems)
        settings.recommendationInterval = try milliseconds(Self.recommendationInterval, recommendationIntervalMs)
        settings.itemWindow = try milliseconds(Self.itemWindow, itemWindowSeconds, per: 1_000)
        settings.maxItemsPerPartition = try value(Self.maxItemsPerPartition, maxItemsPerPartition)
        settings.itemTTL = try milliseconds(Self.itemTTL, itemTtlSeconds, per: 1_000)
        settings.tableUpdateInterval = try milliseconds(Self.tableUpdateInterval, tableUpdateIntervalMs)
        let partitions = try value(Self.partitions, self.partitions)
        settings.shufflePartitions = Int32(clamping: partitions)
        settings.maxRecordBytes = try value(Self.maxRecordBytes, maxRecordBytes)
        settings.maxFutureSkew = try milliseconds(Self.maxFutureSkew, maxFutureSkewMs)
        settings.idleTimeout = .seconds(try value(Self.idleTimeout, idleTimeoutSeconds))
        try recommender.apply(sources, to: &settings)
        let weights = try value(Self.behaviorWeights, behaviorWeights)
        do {
            settings.behaviorWeights = try BehaviorWeights(parsing: weights)
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        options.guarantee = try value(Self.guarantee, guarantee)
        if let instanceId = try sources.optionalValue(of: Self.instanceId, flag: instanceId), !instanceId.isEmpty {
            options.instanceID = instanceId
        }
        options.pipeline = settings
        options.topics.input = try value(Self.inputTopic, inputTopic)
        options.topics.catalog = try value(Self.catalogTopic, catalogTopic)
        options.topics.outputs = settings.topics
        options.topics.inputPartitions = partitions
        if let interval = try sources.optionalValue(of: Self.checkpointInterval, flag: checkpointIntervalMs) {
            options.checkpointIntervalMilliseconds = interval
        }
        options.lanes = try value(Self.lanes, lanes)
        options.maxQueuedPerLane = try value(Self.maxQueuedPerLane, maxQueuedPerLane)
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
