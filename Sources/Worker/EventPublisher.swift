import Foundation
import Kafka
import Recommender
import StreamEngine

/// Sends behavior events to the input topic the way an app should: key = userId (so a user's events stay in order in
/// one partition), value = the event's JSON, record timestamp = event time.
public struct EventPublisher: Sendable {
    public let producer: KafkaProducer
    public let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    public func publish(_ event: BehaviorEvent) throws(KafkaError) {
        try producer.send(
            OutputRecord(
                topic: topic, key: Array(event.userId.utf8), value: EventCodec.encodeJSON(event),
                timestamp: event.timestamp))
    }

    /// Sends bytes as they are (e.g. a deliberately malformed record in the demo).
    public func publishRaw(key: String, value: [UInt8]) throws(KafkaError) {
        try producer.send(OutputRecord(topic: topic, key: Array(key.utf8), value: value))
    }
}

/// Paces a loop to a target rate without drifting: it sleeps until the time the next item is due.
public struct RatePacer: Sendable {
    private let start = ContinuousClock.now
    private let perSecond: Double

    /// `perSecond <= 0` means as fast as possible.
    public init(perSecond: Double) {
        self.perSecond = perSecond
    }

    public func wait(forItem index: Int) {
        guard perSecond > 0 else { return }
        let due = start + .seconds(Double(index) / perSecond)
        let now = ContinuousClock.now
        if due > now { Thread.sleep(forTimeInterval: (due - now).inSeconds) }
    }
}

extension Duration {
    /// The duration as fractional seconds, for rates and `Thread.sleep`.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
