import ArgumentParser
import Foundation
import Kafka
import Recommender
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
        "top-n", default: pipeline.topN, bound: .positive, help: "Items per recommendation list.")
    static let historySize = Setting<Int>(
        "history-size", default: pipeline.historySize, bound: .positive,
        help: "Interactions remembered per user (and what --filter-seen filters).")
    static let userWindow = Setting<Int>(
        "user-window-seconds", default: Int(pipeline.userWindow / 1_000), bound: .positive,
        help: "User feature window, seconds of event time.")
    static let maxOutOfOrderness = Setting<Int>(
        "max-out-of-orderness-ms", default: Int(pipeline.maxOutOfOrderness), bound: .nonNegative,
        help: "Allowed out-of-orderness of events, milliseconds.")
    static let maxUsers = Setting<Int>(
        "max-users-per-partition", default: pipeline.maxUsersPerTask, bound: .positive,
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
        "max-items-per-partition", default: pipeline.maxItemsPerTask, bound: .positive,
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

    /// The value of every setting, each from the first source that has it: flag, environment, file, default.
    func resolve(_ sources: ConfigurationSources) throws -> ResolvedPipelineOptions {
        ResolvedPipelineOptions(
            groupId: try sources.value(of: Self.groupId, flag: groupId),
            inputTopic: try sources.value(of: Self.inputTopic, flag: inputTopic),
            userFeaturesTopic: try sources.value(of: Self.userFeaturesTopic, flag: userFeaturesTopic),
            itemFeaturesTopic: try sources.value(of: Self.itemFeaturesTopic, flag: itemFeaturesTopic),
            applicationId: try sources.value(of: Self.applicationId, flag: applicationId),
            lanes: try sources.value(of: Self.lanes, flag: lanes),
            maxQueuedPerLane: try sources.value(of: Self.maxQueuedPerLane, flag: maxQueuedPerLane),
            recommendationsTopic: try sources.value(of: Self.recommendationsTopic, flag: recommendationsTopic),
            dlqTopic: try sources.value(of: Self.dlqTopic, flag: dlqTopic),
            lateTopic: try sources.value(of: Self.lateTopic, flag: lateTopic),
            partitions: try sources.value(of: Self.partitions, flag: partitions),
            topN: try sources.value(of: Self.topN, flag: topN),
            historySize: try sources.value(of: Self.historySize, flag: historySize),
            userWindowSeconds: try sources.value(of: Self.userWindow, flag: userWindowSeconds),
            maxOutOfOrdernessMs: try sources.value(of: Self.maxOutOfOrderness, flag: maxOutOfOrdernessMs),
            maxUsersPerPartition: try sources.value(of: Self.maxUsers, flag: maxUsersPerPartition),
            userTtlSeconds: try sources.value(of: Self.userTTL, flag: userTtlSeconds),
            maxItems: try sources.value(of: Self.maxItems, flag: maxItems),
            itemWindowSeconds: try sources.value(of: Self.itemWindow, flag: itemWindowSeconds),
            maxItemsPerPartition: try sources.value(of: Self.maxItemsPerPartition, flag: maxItemsPerPartition),
            itemTtlSeconds: try sources.value(of: Self.itemTTL, flag: itemTtlSeconds),
            tableUpdateIntervalMs: try sources.value(of: Self.tableUpdateInterval, flag: tableUpdateIntervalMs),
            behaviorWeights: try sources.value(of: Self.behaviorWeights, flag: behaviorWeights),
            recommendationIntervalMs: try sources.value(
                of: Self.recommendationInterval, flag: recommendationIntervalMs),
            checkpointIntervalMs: try sources.optionalValue(of: Self.checkpointInterval, flag: checkpointIntervalMs),
            guarantee: try sources.value(of: Self.guarantee, flag: guarantee),
            instanceId: try sources.optionalValue(of: Self.instanceId, flag: instanceId),
            idleTimeoutSeconds: try sources.value(of: Self.idleTimeout, flag: idleTimeoutSeconds),
            catalogTopic: try sources.value(of: Self.catalogTopic, flag: catalogTopic),
            maxRecordBytes: try sources.value(of: Self.maxRecordBytes, flag: maxRecordBytes),
            maxFutureSkewMs: try sources.value(of: Self.maxFutureSkew, flag: maxFutureSkewMs)
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
    /// nil: the worker's default (host name and process id).
    var instanceId: String?
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
        settings.idleTimeout = .seconds(idleTimeoutSeconds)
        try recommender.apply(sources, to: &settings)
        do {
            settings.behaviorWeights = try BehaviorWeights(parsing: behaviorWeights)
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        options.guarantee = guarantee
        if let instanceId, !instanceId.isEmpty { options.instanceID = instanceId }
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
