import Logging

/// Cluster administration through librdkafka's Admin API (CreateTopics).
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "streamrec.kafka.admin"))
        throws(KafkaError)
    {
        client = try RDKafkaClient(
            kind: .producer, properties: configuration.commonProperties.merging(configuration.properties) { $1 },
            callbacks: RDKafkaCallbacks(logger: logger, onError: { _ in }))
    }

    /// Creates the topics, waiting up to `timeoutMilliseconds` for the controller. A topic that already exists is
    /// reported as `.alreadyExists`, not as a failure, so this is safe to run at every start.
    public func createTopics(_ specifications: [TopicSpecification], timeoutMilliseconds: Int32 = 30_000)
        throws(KafkaError) -> [String: TopicCreation]
    {
        try client.createTopics(specifications, timeoutMilliseconds: timeoutMilliseconds)
    }
}
