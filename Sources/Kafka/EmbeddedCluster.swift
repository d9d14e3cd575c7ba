import Logging

/// An in-process Kafka cluster: librdkafka's mock cluster, speaking the real Kafka protocol on loopback ports, so any
/// Kafka client (this process, kcat, another worker) can connect to `bootstrapServers`.
///
/// Unlike the mock's defaults, its brokers' connections have Nagle's algorithm off, as Apache Kafka's do.
///
/// What it does not do (see BROKERS.md): no CreateTopics handler (use `createTopic`), no compaction, no transaction
/// markers, transactional offsets are not stored, and only ~5 MB per partition is retained.
public final class EmbeddedCluster: Sendable {
    private let cluster: RDKafkaMockCluster
    /// `host:port,...` of the mock brokers.
    public var bootstrapServers: String { cluster.bootstrapServers }

    public init(brokers: Int = 1, logger: Logger = Logger(label: "streamrec.kafka.embedded")) throws(KafkaError) {
        guard (1...16).contains(brokers) else { throw .invalidArgument("brokers must be 1...16, not \(brokers)") }
        cluster = try RDKafkaMockCluster(brokers: Int32(brokers), logger: logger)
    }

    /// The brokers' sockets — listeners and the connections they accepted — and how many of them have Nagle's
    /// algorithm off (TCP_NODELAY), as Apache Kafka's brokers do; the mock's own default left every flush 40 ms
    /// longer (tests).
    var brokerSockets: (count: Int, noDelay: Int) { cluster.brokerSockets }

    /// Creates a topic (the mock's own call: it has no CreateTopics handler). Topic configs such as compaction are
    /// accepted by real brokers only; the mock keeps every topic as a plain log.
    public func createTopic(_ specification: TopicSpecification) throws(KafkaError) {
        try cluster.createTopic(
            specification.name, partitions: Int32(clamping: specification.partitions),
            replicationFactor: Int32(clamping: specification.replicationFactor))
    }

    /// Makes the cluster answer metadata requests for `topic` with a broker error code — 3 (`UNKNOWN_TOPIC_OR_PART`)
    /// makes clients take it for missing, which they otherwise never see: the embedded cluster creates any topic on
    /// first use. 0 clears it.
    public func setTopicError(_ topic: String, code: Int32) {
        cluster.setTopicError(topic, code: code)
    }

    /// Takes a broker down (connections closed, requests refused) — for fault tests.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try cluster.setBrokerDown(brokerID)
    }

    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try cluster.setBrokerUp(brokerID)
    }

    /// Moves a partition's leadership to another broker (clients see NOT_LEADER and refresh their metadata).
    public func setLeader(of topic: String, partition: Int32, to brokerID: Int32) throws(KafkaError) {
        try cluster.setLeader(of: topic, partition: partition, to: brokerID)
    }

    /// Makes a broker the coordinator of a group (`kind` "group") or a transactional id ("transaction"), so a fault
    /// test can keep coordination away from the broker it slows down or takes down.
    public func setCoordinator(_ kind: String, key: String, to brokerID: Int32) throws(KafkaError) {
        try cluster.setCoordinator(kind, key: key, to: brokerID)
    }

    /// Delays every response of a broker by `milliseconds` — a slow or distant broker, for backpressure tests.
    public func setRoundTripTime(of brokerID: Int32, milliseconds: Int) throws(KafkaError) {
        try cluster.setRoundTripTime(of: brokerID, milliseconds: Int32(clamping: milliseconds))
    }

    /// Kafka protocol requests, for `failNextRequests`.
    public enum RequestKind: Int16, Sendable {
        case produce = 0
        case offsetCommit = 8
        case addPartitionsToTransaction = 24
        case endTransaction = 26
        case transactionOffsetCommit = 28
    }

    /// Makes the next requests of one kind to a broker fail with the given broker error codes, one code per request,
    /// in order — for fault tests (e.g. a produce rejected with `INVALID_RECORD`, 87, fails the record and, in a
    /// transaction, makes the transaction abortable). `pendingRequestErrors` tells how many are still unused.
    public func failNextRequests(_ kind: RequestKind, with errorCodes: [Int32], broker: Int32 = 1) {
        for code in errorCodes { cluster.pushRequestError(broker: broker, apiKey: kind.rawValue, code: code) }
    }

    /// Errors pushed by `failNextRequests` that no request of that kind to the broker has met yet: 0 once every
    /// injected fault happened.
    public func pendingRequestErrors(_ kind: RequestKind, broker: Int32 = 1) throws(KafkaError) -> Int {
        try cluster.pendingRequestErrors(broker: broker, apiKey: kind.rawValue)
    }
}
