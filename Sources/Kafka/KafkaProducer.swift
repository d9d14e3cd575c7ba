import Logging
import StreamEngine

/// Writes records to Kafka. Delivery reports arrive through `onDelivery` while `poll` or `flush` run; `flush` waits
/// until every record sent so far is acknowledged or failed.
public final class KafkaProducer: Sendable {
    /// Also the transactions' client (`KafkaProducer+Transactions`).
    let client: RDKafkaClient

    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "streamrec.kafka.producer"),
        onError: @escaping @Sendable (KafkaError) -> Void = { _ in },
        onDelivery: @escaping @Sendable (DeliveryReport) -> Void = { _ in }
    ) throws(KafkaError) {
        client = try RDKafkaClient(
            kind: .producer, properties: configuration.producerProperties,
            callbacks: RDKafkaCallbacks(logger: logger, onError: onError, onDelivery: onDelivery))
    }

    deinit {
        // Give in-flight records a last chance; whatever is still queued after this is reported as failed.
        try? client.flush(timeoutMilliseconds: 5_000)
    }

    /// Queues one record. When librdkafka's local queue is full this serves delivery reports and retries, so a slow
    /// broker slows the caller down instead of growing memory.
    public func send(_ record: OutputRecord) throws(KafkaError) {
        try client.produce(record)
    }

    /// What librdkafka holds for a property of this client (tests: settings really reach librdkafka).
    func configurationValue(_ name: String) -> String? { client.configurationValue(name) }

    /// Serves delivery reports and errors that are ready, waiting at most `timeoutMilliseconds` for one.
    public func poll(timeoutMilliseconds: Int32 = 0) {
        client.poll(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Waits until every queued record is delivered or failed; throws a timeout error if some are still in flight.
    public func flush(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try client.flush(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Records queued or in flight (not yet acknowledged).
    public var inFlightCount: Int { client.outQueueLength }
}
