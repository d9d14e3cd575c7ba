import Recommender
import StreamEngine

/// The routing table of the topology: for each kind of output a task emits, its topic, its partition (the
/// producer's key partitioner, or one chosen here) and its id. Tasks say what they emit — "this feed", "these window
/// features" — and never name topics or partitions themselves; the changelog's layout lives here too.
public struct OutputRoutes: Sendable, Equatable {
    public let topics: OutputTopics
    /// Partitions of the input topic, and so of the item shuffle (the same count, as Kafka Streams' repartition
    /// topics have).
    public let partitions: Int32

    public init(_ settings: PipelineSettings) {
        topics = settings.topics
        partitions = settings.shufflePartitions
    }

    // MARK: - Tasks and the changelog

    /// The kinds of task, by the topic they read.
    public enum TaskKind: Sendable, Hashable {
        case user, item, trainer
    }

    public func taskKind(reading topic: String) -> TaskKind {
        switch topic {
        case topics.itemShuffle: .item
        case topics.training: .trainer
        default: .user
        }
    }

    /// The training topic has one partition: one group member trains, so every example meets one model.
    public static let trainingPartition: Int32 = 0

    /// The partitions the trainer reads.
    public var trainingInput: TopicPartition {
        TopicPartition(topic: topics.training, partition: Self.trainingPartition)
    }

    /// The changelog partition of the task that reads `partition` of `topic`: user task p writes partition p, item
    /// task p writes `partitions + p`, the trainer `2 × partitions`.
    public func changelogPartition(ofTaskReading topic: String, partition: Int32) -> Int32 {
        switch taskKind(reading: topic) {
        case .item: partitions + partition
        case .trainer: 2 * partitions
        case .user: partition
        }
    }

    /// Partitions of the changelog topic: twice the input's plus one.
    public var changelogPartitions: Int32 { 2 * partitions + 1 }

    /// The input partition (of `inputTopic`, or of the item shuffle) whose task writes `changelogPartition`.
    public func taskPartition(ofChangelogPartition changelogPartition: Int32, inputTopic: String) -> TopicPartition {
        if changelogPartition < partitions {
            return TopicPartition(topic: inputTopic, partition: changelogPartition)
        }
        if changelogPartition < 2 * partitions {
            return TopicPartition(topic: topics.itemShuffle, partition: changelogPartition - partitions)
        }
        return trainingInput
    }

    // MARK: - What user tasks emit

    /// A user's list (a feed, or a surface sent at a window close), keyed by the user; `id` names it for
    /// exactly-once deduplication.
    public func list(_ list: Recommendation, id: RecordHeader) -> OutputRecord {
        OutputRecord(
            topic: topics.recommendations, key: Array(list.subject.utf8), value: list.encodeJSON(),
            timestamp: list.generatedAt, headers: [id, OutputHeaders.surface(list.surface)])
    }

    /// The lists a closed user window sends: one id per surface of the window.
    public func windowList(_ list: Recommendation, of userId: String, windowStart: Int64) -> OutputRecord {
        self.list(
            list,
            id: OutputHeaders.id(window: windowStart, of: userId, in: topics.recommendations, surface: list.surface))
    }

    public func userFeatures(_ features: UserWindowFeatures, of userId: String, window: Range<Int64>) -> OutputRecord {
        OutputRecord(
            topic: topics.userFeatures, key: Array(userId.utf8), value: features.encodeJSON(),
            timestamp: window.upperBound - 1,
            headers: [OutputHeaders.id(window: window.lowerBound, of: userId, in: topics.userFeatures)])
    }

    /// An event (or, with no value, only pairs) re-keyed by item for its item task: partitioned here with murmur2
    /// over the shuffle's partitions, as the input is.
    public func shuffled(_ event: BehaviorEvent, pairs: [CoOccurrence], id: RecordHeader) -> OutputRecord {
        let key = Array(event.itemId.utf8)
        var headers = [id]
        if !pairs.isEmpty { headers.append(RecordHeader(name: CoOccurrence.header, value: CoOccurrence.encode(pairs))) }
        return OutputRecord(
            topic: topics.itemShuffle, partition: KeyPartitioner.partition(for: key, partitionCount: partitions),
            key: key, typed: event, timestamp: event.timestamp, headers: headers)
    }

    /// The shuffle partition of an item's task.
    public func shufflePartition(of itemId: String) -> Int32 {
        KeyPartitioner.partition(for: Array(itemId.utf8), partitionCount: partitions)
    }

    /// The other halves of an event's pairs whose recent items live in `partition` (`CoOccurrence.pairedHeader`).
    public func pairs(
        with itemId: String, _ pairs: [CoOccurrence], inShufflePartition partition: Int32, timestamp: Int64,
        id: RecordHeader
    ) -> OutputRecord {
        OutputRecord(
            topic: topics.itemShuffle, partition: partition, key: Array(itemId.utf8), value: nil,
            timestamp: timestamp,
            headers: [id, RecordHeader(name: CoOccurrence.pairedHeader, value: CoOccurrence.encode(pairs))])
    }

    /// A user task's progress to one shuffle partition: no key, no value, the bound in a header.
    public func progress(
        _ bound: Int64, of partition: Int32, toShufflePartition shufflePartition: Int32, id: RecordHeader
    ) -> OutputRecord {
        OutputRecord(
            topic: topics.itemShuffle, partition: shufflePartition, key: nil, value: nil, timestamp: bound,
            headers: [id, UpstreamWatermarks.encode(partition: partition, watermark: bound)])
    }

    public func trainingExample(_ example: TrainingExample, of userId: String, id: RecordHeader) -> OutputRecord {
        OutputRecord(
            topic: topics.training, partition: Self.trainingPartition, key: Array(userId.utf8),
            value: example.encode(), headers: [id])
    }

    /// The examples a closed user window finishes: one id per example of the window.
    public func windowExample(_ example: TrainingExample, index: Int, of userId: String, windowStart: Int64)
        -> OutputRecord
    {
        let stream = "\(topics.training)/\(index)"
        return trainingExample(example, of: userId, id: OutputHeaders.id(window: windowStart, of: userId, in: stream))
    }

    // MARK: - What item tasks emit

    public func itemFeatures(_ features: ItemWindowFeatures, of itemId: String, window: Range<Int64>) -> OutputRecord {
        OutputRecord(
            topic: topics.itemFeatures, key: Array(itemId.utf8), value: features.encodeJSON(),
            timestamp: window.upperBound - 1,
            headers: [OutputHeaders.id(window: window.lowerBound, of: itemId, in: topics.itemFeatures)])
    }

    public func tableRow(_ row: ItemTableRow, id: RecordHeader) -> OutputRecord {
        OutputRecord(
            topic: topics.itemTable, key: Array(row.itemId.utf8), typed: row, timestamp: row.updatedAt, headers: [id])
    }

    /// An item's similar list. Whether a neighbour list changed depends on partners' popularity in the global
    /// table, which fills asynchronously; so its id is its item and time, not a position among the record's outputs
    /// that would shift the ids of everything after it.
    public func similarList(_ list: Recommendation) -> OutputRecord {
        self.list(list, id: OutputHeaders.id(window: list.generatedAt, of: list.subject, in: Self.similarStream))
    }

    static let similarStream = "similar"

    // MARK: - What the trainer emits

    public func modelVersion(named name: String, file: [UInt8], at time: Int64, id: RecordHeader) -> OutputRecord {
        OutputRecord(topic: topics.models, key: Array(name.utf8), value: file, timestamp: time, headers: [id])
    }

    public func modelControl(_ control: ModelControl, at time: Int64, id: RecordHeader) -> OutputRecord {
        OutputRecord(
            topic: topics.models, key: Array(ModelControl.key.utf8), value: control.encodeJSON(), timestamp: time,
            headers: [id])
    }

    // MARK: - What no task can use

    /// An event too late for its window, set aside with why.
    public func late(_ record: StreamRecord, reason: String, limit: Int) -> OutputRecord {
        OutputHeaders.setAside(record, to: topics.late, reason: reason, limit: limit)
    }

    /// A record that cannot be read, set aside with why and its error class.
    public func deadLetter(_ record: StreamRecord, reason: String, errorClass: String? = nil, limit: Int)
        -> OutputRecord
    {
        var letter = OutputHeaders.setAside(record, to: topics.deadLetter, reason: reason, limit: limit)
        if let errorClass { letter.headers.append(RecordHeader(OutputHeaders.errorClass, errorClass)) }
        return letter
    }
}
