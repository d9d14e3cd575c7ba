import CRdKafka
import Logging

/// librdkafka's mock cluster (`rdkafka_mock.h`), hosted by a client handle of its own that never connects anywhere.
/// The mock API is thread-safe.
final class RDKafkaMockCluster: @unchecked Sendable {
    private let client: RDKafkaClient
    // Owned by `client`'s handle and destroyed before it.
    private let cluster: OpaquePointer
    /// `host:port,...` of the mock brokers.
    let bootstrapServers: String

    init(brokers: Int32, logger: Logger) throws(KafkaError) {
        client = try RDKafkaClient(
            // The handle only hosts the mock brokers; it never connects, so its "no bootstrap.servers" notice is noise.
            kind: .producer, properties: ["client.id": "streamrec-embedded-cluster", "log_level": "3"],
            callbacks: RDKafkaCallbacks(logger: logger, onError: { _ in }))
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, brokers) else {
            throw .invalidArgument("starting the embedded Kafka cluster failed (see the log)")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor),
            while: "creating topic \(name) on the embedded cluster")
    }

    func setTopicError(_ topic: String, code: Int32) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: code))
    }

    func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster, brokerID), while: "taking broker \(brokerID) down")
    }

    func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster, brokerID), while: "bringing broker \(brokerID) up")
    }

    func setLeader(of topic: String, partition: Int32, to brokerID: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID),
            while: "moving the leader of \(topic)[\(partition)] to broker \(brokerID)")
    }

    func setCoordinator(_ kind: String, key: String, to brokerID: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_coordinator_set(cluster, kind, key, brokerID),
            while: "making broker \(brokerID) the \(kind) coordinator of \(key)")
    }

    func setRoundTripTime(of brokerID: Int32, milliseconds: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_broker_set_rtt(cluster, brokerID, milliseconds),
            while: "setting the round-trip time of broker \(brokerID)")
    }

    /// Makes the next request with this API key to the broker fail with `code`; several calls queue up in order.
    func pushRequestError(broker: Int32, apiKey: Int16, code: Int32) {
        _ = streamrec_mock_broker_push_request_error(cluster, broker, apiKey, rd_kafka_resp_err_t(rawValue: code))
    }

    /// Pushed request errors no request with this API key to the broker has met yet.
    func pendingRequestErrors(broker: Int32, apiKey: Int16) throws(KafkaError) -> Int {
        var count = 0
        try check(
            rd_kafka_mock_broker_error_stack_cnt(cluster, broker, apiKey, &count),
            while: "counting the injected errors of broker \(broker)")
        return count
    }
}
