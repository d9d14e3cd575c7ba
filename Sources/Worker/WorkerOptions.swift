import Foundation
import Kafka
import Recommender
import Topology

/// How a worker connects and what it computes.
public struct WorkerOptions: Sendable {
    public var kafka: KafkaConfiguration
    public var topics = TopicLayout()
    public var pipeline = PipelineSettings()
    /// Worker threads; each input and shuffle partition is pinned to one of them.
    public var lanes = ProcessInfo.processInfo.activeProcessorCount
    /// Records queued for one lane before its partitions are paused (backpressure instead of buffering).
    public var maxQueuedPerLane = 20_000
    /// Outputs one lane may produce behind a checkpoint barrier (held until the barrier's transaction has committed)
    /// before its partitions are paused; the outputs of its queued records come on top.
    public var maxHeldOutputsPerLane = 50_000
    /// How often a checkpoint is taken: state changes, outputs and input offsets committed together. Unless set:
    /// 100 ms with exactly-once, where a `read_committed` reader sees an output only once its checkpoint commits, so
    /// the interval is most of what the reader waits (Kafka Streams' commit interval under exactly-once); 1 s with
    /// at-least-once, whose outputs are visible at once and whose interval only bounds what a crash repeats.
    public var checkpointIntervalMilliseconds: Int {
        get { chosenCheckpointInterval ?? (guarantee == .exactlyOnce ? 100 : 1_000) }
        set { chosenCheckpointInterval = newValue }
    }
    private var chosenCheckpointInterval: Int?
    public var guarantee = DeliveryGuarantee.exactlyOnce
    /// Names this instance's transactional producer (`<group>-<instance id>`). Keep it stable across restarts of
    /// one instance (a pod name; the default is host name and process id, and a container's process id is 1), so
    /// a restarted instance fences its own zombie and ends its unfinished transaction at once; two live instances
    /// must not share it.
    public var instanceID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    /// Records taken from the consumer per poll.
    public var maxBatchSize = 1_000
    /// `host:port` at which other instances and clients reach this instance's HTTP API; announced on the instances
    /// topic so a request for a user served elsewhere is redirected there. nil: this instance answers only for its
    /// own partitions.
    public var httpAdvertise: String?
    /// How long the worker may hold unfinished work without completing a checkpoint (or be cut off from every
    /// broker) before it reports itself not ready.
    public var stallTimeoutMilliseconds = 15_000
    /// Users whose latest lists and features the HTTP API keeps (the serving view's bound).
    public var maxServedUsers = 100_000
    /// Server-sent-event clients (`/v1/users/{id}/recommendations/stream`) this instance holds at once; more are
    /// answered 503 with `Retry-After`.
    public var maxEventStreams = 1_000

    public init(kafka: KafkaConfiguration) {
        self.kafka = kafka
        topics.outputs = pipeline.topics
    }

    /// The pipeline settings with the layout's topic names and shuffle partition count.
    public var effectivePipeline: PipelineSettings {
        var settings = pipeline
        settings.topics = topics.outputs
        settings.shufflePartitions = Int32(topics.inputPartitions)
        settings.checkpointing = true
        return settings
    }

    public var transactionalID: String { "\(kafka.groupID ?? "streamrec")-\(instanceID)" }
}

/// What a reader of the outputs can rely on after a crash or a rebalance.
public enum DeliveryGuarantee: String, Sendable, CaseIterable {
    /// Outputs, state checkpoints and input offsets are committed in one Kafka transaction: `read_committed`
    /// readers see each output once.
    case exactlyOnce = "exactly-once"
    /// Outputs are flushed before the checkpoint that covers them; after a crash the outputs since the last
    /// checkpoint are written again, with the same ids.
    case atLeastOnce = "at-least-once"
}
