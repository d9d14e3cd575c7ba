/// Settings for any librdkafka client: a few typed common ones plus every other librdkafka property passed through
/// untouched (`properties`), so SASL, SSL and OAuth settings work without the wrapper knowing them.
///
/// Keys are librdkafka's (see its CONFIGURATION.md). Values in `properties` win over the typed ones.
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// `bootstrap.servers`: comma-separated `host:port` list.
    public var bootstrapServers: String
    /// `client.id`, shown in broker logs and metrics.
    public var clientID: String = "streamrec"
    /// `group.id` — consumers only.
    public var groupID: String?
    /// `session.timeout.ms` — consumers only. Low values make rebalances quick (tests, embedded cluster).
    public var sessionTimeoutMilliseconds: Int?
    /// `heartbeat.interval.ms` — consumers only.
    public var heartbeatIntervalMilliseconds: Int?
    /// `auto.offset.reset` for partitions without a committed offset — consumers only.
    public var autoOffsetReset: OffsetReset = .earliest
    /// `isolation.level` — consumers only; `read_committed` hides aborted transactions on a real broker.
    public var isolationLevel: IsolationLevel = .readCommitted
    /// `fetch.wait.max.ms` — consumers only: how long a broker may hold a fetch for new records. librdkafka's 500 ms
    /// is five exactly-once checkpoint intervals, and the embedded broker holds a fetch that long even when records
    /// arrive meanwhile, so at low rates it added up to 500 ms before a record was even dispatched.
    public var fetchWaitMaxMilliseconds: Int = 20
    /// `enable.idempotence` — producers only.
    public var idempotentProducer: Bool = true
    /// `linger.ms` — producers only: how long to wait to fill a batch.
    public var lingerMilliseconds: Int = 5
    /// `transactional.id` — producers only: makes the producer transactional. Keep it stable per instance (e.g.
    /// the pod name), so a restarted instance fences its own zombie.
    public var transactionalID: String?
    /// Any other librdkafka property, e.g. `security.protocol`, `sasl.mechanism`, `ssl.ca.location`.
    public var properties: [String: String] = [:]

    public enum OffsetReset: String, Sendable { case earliest, latest }
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "read_committed"
        case readUncommitted = "read_uncommitted"
    }

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// librdkafka's default `message.max.bytes`.
    public static let defaultMessageMaxBytes = 1_000_000

    /// The largest record, with its framing, a producer made from these settings sends (`message.max.bytes`); a
    /// larger one fails with "Message size too large".
    public var producerMessageMaxBytes: Int {
        properties["message.max.bytes"].flatMap { Int($0) } ?? Self.defaultMessageMaxBytes
    }

    /// Settings common to every client.
    var commonProperties: [String: String] {
        ["bootstrap.servers": bootstrapServers, "client.id": clientID]
    }

    /// Everything a producer is created with. Keys are partitioned as the Java client does (murmur2), not with
    /// librdkafka's default crc32, so every producer of a topic — ours, the app's, Kafka Streams' — agrees on
    /// where a key lives.
    var producerProperties: [String: String] {
        var producer = [
            "enable.idempotence": String(idempotentProducer),
            "linger.ms": String(lingerMilliseconds),
            "partitioner": "murmur2_random",
        ]
        if let transactionalID { producer["transactional.id"] = transactionalID }
        return commonProperties.merging(producer) { $1 }.merging(properties) { $1 }
    }

    /// Everything a consumer is created with. Offsets are always committed by the application, never automatically:
    /// an offset may only be committed once the outputs it caused are safely written.
    func consumerProperties() throws(KafkaError) -> [String: String] {
        guard let groupID, !groupID.isEmpty else {
            throw .invalidArgument("a consumer needs a group id (group.id); set it with --group-id")
        }
        var result = commonProperties
        result["group.id"] = groupID
        result["enable.auto.commit"] = "false"
        result["enable.auto.offset.store"] = "false"
        result["auto.offset.reset"] = autoOffsetReset.rawValue
        result["isolation.level"] = isolationLevel.rawValue
        result["fetch.wait.max.ms"] = String(fetchWaitMaxMilliseconds)
        if let sessionTimeoutMilliseconds { result["session.timeout.ms"] = String(sessionTimeoutMilliseconds) }
        if let heartbeatIntervalMilliseconds { result["heartbeat.interval.ms"] = String(heartbeatIntervalMilliseconds) }
        return result.merging(properties) { $1 }
    }

    /// Checks every property with librdkafka (names and values) for both a producer and a consumer, without
    /// connecting: a wrong setting stops a program at start, with the key and librdkafka's reason.
    public func validate() throws(KafkaError) {
        try RDKafkaConfig.validate(producerProperties)
        if groupID != nil { try RDKafkaConfig.validate(consumerProperties()) }
    }

    /// The settings with secrets replaced, safe to log or print.
    public var description: String {
        let all = commonProperties.merging(properties) { $1 }
        let shown = all.keys.sorted().map { key in "\(key)=\(Self.isSecret(key) ? "[redacted]" : all[key]!)" }
        return "KafkaConfiguration(\(shown.joined(separator: ", ")))"
    }

    /// Whether a librdkafka property holds a secret (passwords, keys, JAAS and OAuth settings).
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "sasl.jaas", "oauthbearer.config", "ssl.key.pem", "ssl_key", "token"]
            .contains { lowered.contains($0) }
    }
}

extension KafkaConfiguration: CustomReflectable {
    /// `dump`, debuggers and anything else that reflects the value see the redacted settings, never the secrets.
    public var customMirror: Mirror { Mirror(self, children: ["settings": description]) }
}
