import Foundation
import Kafka
import Recommender

/// How a worker connects and what it computes.
public struct WorkerOptions: Sendable {
    public var kafka: KafkaConfiguration
    public var topics = TopicLayout()
    public var pipeline = PipelineSettings()
    /// Worker threads; each input and shuffle partition is pinned to one of them.
    public var lanes = ProcessInfo.processInfo.activeProcessorCount
    /// Records queued for one lane before its partitions are paused (backpressure instead of buffering).
    public var maxQueuedPerLane = 20_000
    /// How often processed offsets are committed (after their outputs are acknowledged).
    public var commitIntervalMilliseconds = 1_000
    /// Records taken from the consumer per poll.
    public var maxBatchSize = 1_000

    public init(kafka: KafkaConfiguration) {
        self.kafka = kafka
        topics.outputs = pipeline.topics
    }

    /// The pipeline settings with the layout's topic names and shuffle partition count.
    public var effectivePipeline: PipelineSettings {
        var settings = pipeline
        settings.topics = topics.outputs
        settings.shufflePartitions = Int32(topics.inputPartitions)
        return settings
    }
}
