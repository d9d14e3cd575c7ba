import Foundation
import StreamEngine

/// What librdkafka's statistics say about a consumer (set `statistics.interval.ms` to receive them): the lag of
/// each assigned partition, in records, behind the partition's high watermark.
public struct ConsumerStatistics: Sendable, Equatable {
    public var lag: [TopicPartition: Int64] = [:]

    public init(lag: [TopicPartition: Int64] = [:]) {
        self.lag = lag
    }

    /// Parses librdkafka's statistics JSON (`topics.<name>.partitions.<id>.consumer_lag`; -1 means unknown and is
    /// left out, as is the internal partition -1).
    public init(json: String) {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let topics = root["topics"] as? [String: Any]
        else { return }
        for (topic, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (id, details) in partitions {
                guard let partition = Int32(id), partition >= 0,
                    let lag = ((details as? [String: Any])?["consumer_lag"] as? NSNumber)?.int64Value, lag >= 0
                else { continue }
                self.lag[TopicPartition(topic: topic, partition: partition)] = lag
            }
        }
    }
}
