import Foundation
import StreamEngine

/// What librdkafka's statistics say about a consumer (set `statistics.interval.ms` to receive them): the lag of
/// each assigned partition, in records, behind the partition's high watermark.
public struct ConsumerStatistics: Sendable, Equatable {
    public var lag: [TopicPartition: Int64] = [:]
    /// The broker each partition's fetches go to (its leader, as this client knows it).
    public var leaders: [TopicPartition: Int32] = [:]
    /// Brokers of the cluster the client knows, and how many of them it is connected to (state `UP`); nil when the
    /// statistics name no broker.
    public var brokersUp: Int?

    public init(lag: [TopicPartition: Int64] = [:]) {
        self.lag = lag
    }

    /// Parses librdkafka's statistics JSON: `topics.<name>.partitions.<id>.consumer_lag` (end of the partition minus
    /// the group's committed offset). Where no offset is committed — offsets sent with a transaction to a broker
    /// that does not store them — the lag is the end minus the consumer's position (`ls_offset` or `hi_offset`
    /// minus `app_offset`). Unknown lags (-1) and the internal partition -1 are left out.
    public init(json: String) {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let topics = root["topics"] as? [String: Any]
        else { return }
        if let brokers = root["brokers"] as? [String: Any] {
            // Logical entries (the coordinators' aliases, the bootstrap address) have node id -1.
            let real = brokers.values.compactMap { $0 as? [String: Any] }.filter {
                (($0["nodeid"] as? NSNumber)?.intValue ?? -1) >= 0
            }
            if !real.isEmpty { brokersUp = real.filter { $0["state"] as? String == "UP" }.count }
        }
        for (topic, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (id, details) in partitions {
                guard let partition = Int32(id), partition >= 0, let details = details as? [String: Any] else {
                    continue
                }
                let number = { (key: String) in (details[key] as? NSNumber)?.int64Value ?? -1 }
                if number("leader") >= 0 {
                    leaders[TopicPartition(topic: topic, partition: partition)] = Int32(number("leader"))
                }
                var lag = number("consumer_lag")
                let end = number("ls_offset") >= 0 ? number("ls_offset") : number("hi_offset")
                if lag < 0, number("app_offset") >= 0, end >= 0 { lag = max(0, end - number("app_offset")) }
                guard lag >= 0 else { continue }
                self.lag[TopicPartition(topic: topic, partition: partition)] = lag
            }
        }
    }
}
