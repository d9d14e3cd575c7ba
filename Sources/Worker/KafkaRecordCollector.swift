import Foundation
import Kafka
import Metrics
import StreamEngine

/// The Kafka side of the topology's output, one per lane (Kafka Streams' `RecordCollectorImpl`). A lane's outputs are
/// first seen by the observers of outputs as they are made — the serving view, which answers with a list before
/// its transaction commits — then pass the lane's checkpoint gate into the `ProducerSink`.
struct KafkaRecordCollector: RecordCollector {
    let gate: OutputGate
    let observers: [any OutputObserver]

    func send(_ outputs: [OutputRecord]) {
        for observer in observers { observer.observe(outputs) }
        gate.emit(outputs)
    }
}

/// Where the gates release outputs: the producer. A failed send is recorded for the next checkpoint to act on; the
/// observers of sent outputs (the freshness metric, a live view) see each batch when it joins a transaction.
final class ProducerSink: Sendable {
    private let producer: KafkaProducer
    private let deliveries: DeliveryTracker
    private let counts: Locked<WorkerStatistics>
    private let observers: [any OutputObserver]

    init(
        producer: KafkaProducer, deliveries: DeliveryTracker, counts: Locked<WorkerStatistics>,
        observers: [any OutputObserver]
    ) {
        (self.producer, self.deliveries, self.counts, self.observers) = (producer, deliveries, counts, observers)
    }

    func send(_ outputs: [OutputRecord]) {
        for output in outputs {
            do throws(KafkaError) { try producer.send(output) } catch { deliveries.record(error) }
        }
        for observer in observers { observer.observe(outputs) }
        counts.withLock { $0.recordsProduced += outputs.count }
    }
}

/// How old the event behind a list is when the list is sent: the freshness users see, end to end.
struct RecommendationAge: OutputObserver {
    let topic: String
    private let timer = Timer(label: "streamrec_recommendation_event_age_seconds", preferredDisplayUnit: .seconds)

    init(topic: String) { self.topic = topic }

    func observe(_ outputs: [OutputRecord]) {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        for output in outputs where output.topic == topic {
            if let timestamp = output.timestamp, now >= timestamp { timer.recordMilliseconds(now - timestamp) }
        }
    }
}

/// A function called with each output (the demo's live view).
struct EachOutput: OutputObserver {
    let body: @Sendable (OutputRecord) -> Void

    func observe(_ outputs: [OutputRecord]) {
        for output in outputs { body(output) }
    }
}
