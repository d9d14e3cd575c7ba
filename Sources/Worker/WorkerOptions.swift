import Kafka
import Recommender

/// How a worker connects and what it computes.
public struct WorkerOptions: Sendable {
    public var kafka: KafkaConfiguration
    public var topics = TopicLayout()
    public var pipeline = PipelineSettings()
    /// How often processed offsets are committed (after their outputs are acknowledged).
    public var commitIntervalMilliseconds = 1_000
    /// Records taken from the consumer per poll.
    public var maxBatchSize = 1_000

    public init(kafka: KafkaConfiguration) {
        self.kafka = kafka
        var topics = TopicLayout()
        topics.outputs = pipeline.topics
        self.topics = topics
    }
}
