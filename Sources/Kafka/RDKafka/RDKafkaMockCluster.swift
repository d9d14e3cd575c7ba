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
    private let logger: Logger

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
        self.logger = logger
        // Before any client connects: the brokers' connections inherit it (see the shim).
        disableNagle()
    }

    /// Sets TCP_NODELAY on every broker socket (see the shim); warns when a broker's listener was not found.
    private func disableNagle() {
        let found = brokerPorts.reduce(0) { $0 + (streamrec_sockets_on_port($1, 1, nil) > 0 ? 1 : 0) }
        if found != brokerPorts.count {
            logger.warning(
                "embedded cluster: Nagle's algorithm stays on for some brokers (flushes take 40 ms more)",
                metadata: ["brokersFound": "\(found)", "brokers": "\(brokerPorts.count)"])
        }
    }

    /// The brokers' listening ports.
    private var brokerPorts: [Int32] {
        bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { Int32($0) } }
    }

    /// The brokers' sockets (listeners and accepted connections) and how many of them have TCP_NODELAY set.
    var brokerSockets: (count: Int, noDelay: Int) {
        brokerPorts.reduce((0, 0)) { total, port in
            var noDelay: Int32 = 0
            let count = streamrec_sockets_on_port(port, 0, &noDelay)
            return (total.0 + Int(max(count, 0)), total.1 + Int(noDelay))
        }
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
        // The mock made the broker a new listener (not listening yet); it must not bring Nagle back.
        disableNagle()
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
