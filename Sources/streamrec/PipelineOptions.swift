import ArgumentParser
import Foundation
import Recommender
import Worker

/// Flags of the pipeline: topics, parallelism and the bounds of its state.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Consumer group id; instances with the same id share the input partitions.")
    var groupId = "streamrec"
    @Option(help: "Input topic of behavior events.") var inputTopic = "user-behavior"
    @Option(help: "Output topic of per-user window features.") var userFeaturesTopic = "user-features"
    @Option(help: "Output topic of per-item window features.") var itemFeaturesTopic = "item-features"
    @Option(help: "Application id: prefix of the internal topics (<app>-item-shuffle, <app>-item-table).")
    var applicationId = "streamrec"
    @Option(help: "Worker threads; each partition is pinned to one (default: the number of cores).")
    var lanes = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Records queued for one lane before its partitions are paused.") var maxQueuedPerLane = 20_000
    @Option(help: "Output topic of recommendation lists.") var recommendationsTopic = "recommendations"
    @Option(help: "Dead-letter topic for records that do not decode.") var dlqTopic = "user-behavior.dlq"
    @Option(help: "Side output for events later than the watermark allows.") var lateTopic = "user-behavior.late"
    @Option(help: "Partitions of the input topic when StreamRec creates it.") var partitions = 4
    @Option(help: "Items per recommendation list.") var topN = 10
    @Option(help: "Interactions remembered per user.") var historySize = 50
    @Option(help: "User feature window, seconds of event time.") var userWindowSeconds = 300
    @Option(help: "Allowed out-of-orderness of events, milliseconds.") var maxOutOfOrdernessMs = 5_000
    @Option(help: "Users kept per input partition (least recently active evicted).") var maxUsersPerPartition = 100_000
    @Option(help: "Seconds of event time after which an inactive user is dropped.") var userTtlSeconds = 86_400
    @Option(help: "Items in the local copy of the global item table (least recently updated evicted).")
    var maxItems = 200_000
    @Option(help: "Item feature window, seconds of event time.") var itemWindowSeconds = 600
    @Option(help: "Items kept per shuffle partition (least recently active evicted).") var maxItemsPerPartition =
        200_000
    @Option(help: "Seconds of event time after which an inactive item is dropped.") var itemTtlSeconds = 604_800
    @Option(help: "Minimum milliseconds of event time between two item-table rows for one item.")
    var tableUpdateIntervalMs = 1_000
    @Option(help: "Behavior weights, e.g. view=1,click=2,favorite=3,cart=4,purchase=5.")
    var behaviorWeights = "view=1,click=2,favorite=3,cart=4,purchase=5"
    @Option(help: "Minimum milliseconds of event time between two lists for a user (0: one per event).")
    var recommendationIntervalMs = 0
    @Option(help: "Milliseconds between offset commits.") var commitIntervalMs = 1_000
    @Option(help: "Seconds after which a silent input partition stops holding back the item tasks' event time.")
    var idleTimeoutSeconds = 30
    @Option(help: "Item catalog topic (compacted, key itemId, JSON with categoryId).") var catalogTopic = "item-catalog"

    func workerOptions(kafka: KafkaOptions) throws -> WorkerOptions {
        var configuration = try kafka.configuration()
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
        guard idleTimeoutSeconds > 0 else { throw ValidationError("--idle-timeout-seconds must be positive") }
        settings.idleTimeout = .seconds(idleTimeoutSeconds)
        do {
            settings.behaviorWeights = try BehaviorWeights(parsing: behaviorWeights)
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        guard lanes > 0 else { throw ValidationError("--lanes must be positive, got \(lanes)") }
        guard maxQueuedPerLane > 0 else { throw ValidationError("--max-queued-per-lane must be positive") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive, got \(partitions)") }
        guard commitIntervalMs > 0 else { throw ValidationError("--commit-interval-ms must be positive") }
        options.pipeline = settings
        options.topics.input = inputTopic
        options.topics.catalog = catalogTopic
        options.topics.outputs = settings.topics
        options.topics.inputPartitions = partitions
        options.commitIntervalMilliseconds = commitIntervalMs
        options.lanes = lanes
        options.maxQueuedPerLane = maxQueuedPerLane
        return options
    }
}
