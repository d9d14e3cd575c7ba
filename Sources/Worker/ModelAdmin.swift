import Foundation
import Kafka
import Logging
import Recommender
import StreamEngine

/// What `recsys-models` holds as of one read: the newest record of every version key, and the control state the
/// workers act on.
///
/// The records are replayed through a `ModelRegistry` — the same code every worker runs, deterministic given the
/// records — so `control` is the control the workers use (a control record a worker rejects does not count), and
/// `registry` tells which versions a worker still holds in memory.
public struct ModelTopicState: Sendable {
    /// The newest record of one version key.
    public struct Version: Sendable {
        public var name: String
        public var offset: Int64
        /// The decoded file, nil when it failed to decode (then `error` says why).
        public var summary: ModelSummary?
        public var error: String?
        /// The record's value as it is in the topic.
        public var bytes: [UInt8]

        public var isValid: Bool { summary != nil }
    }

    public var topic: String
    /// Newest record per version key, in the order of those records' offsets; tombstoned keys are left out.
    public var versions: [Version] = []
    /// The control the workers act on: the last control record a `ModelRegistry` accepted (empty when none).
    public var control = ModelControl()
    /// Control records read (accepted or not).
    public var controlRecords = 0
    /// Why the newest control record was rejected, when it was (then `control` is an older one).
    public var controlError: String?
    /// A registry fed every record, as a worker that read the whole topic holds it (a reference: copies of the state
    /// share it).
    public let registry = ModelRegistry()

    public init(topic: String) { self.topic = topic }

    public func version(named name: String) -> Version? { versions.first { $0.name == name } }
    public var validVersionNames: [String] { versions.filter(\.isValid).map(\.name) }

    /// Applies one record of the topic, in offset order.
    public mutating func apply(key: [UInt8]?, value: [UInt8]?, offset: Int64) {
        guard let key else { return }
        let name = String(decoding: key, as: UTF8.self)
        if name == ModelControl.key {
            guard let value else { return }  // a tombstone: the registry ignores it too
            controlRecords += 1
            switch registry.apply(key: key, value: value) {
            case .success: controlError = nil
            case .failure(let error): controlError = error.description
            }
            control = registry.control
            return
        }
        versions.removeAll { $0.name == name }
        guard let value else { return }
        var entry = Version(name: name, offset: offset, bytes: value)
        do throws(ModelFileError) {
            let version = try ModelFile.decode(value)
            if version.version == name {
                entry.summary = ModelSummary(version)
                registry.add(version)
            } else {
                entry.error =
                    ModelFileError("record key '\(name)' differs from the file's version '\(version.version)'")
                    .description
            }
        } catch {
            entry.error = error.description
        }
        versions.append(entry)
    }
}

/// The facts of a model version worth listing (not its weights).
public struct ModelSummary: Sendable, Equatable {
    public var kind: String
    public var hashBits: Int
    public var factors: Int
    public var fields: Int
    public var hiddenUnits: Int
    public var trainedExamples: Int
    public var logLoss: Double?
    public var auc: Double?
    /// Epoch milliseconds.
    public var createdAt: Int64

    public init(_ version: ModelVersion) {
        kind = version.model.kind.rawValue
        hashBits = version.model.hashBits
        factors = version.model.factorCount
        fields = version.model.fieldCount
        hiddenUnits = version.model.hiddenUnits
        trainedExamples = version.trainedExamples
        logLoss = version.logLoss
        auc = version.auc
        createdAt = version.createdAt
    }
}

/// Why a model command refused to write anything, in words an operator can act on.
public struct ModelAdminError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Records a model command writes to `recsys-models`, in order, and the control they leave in force.
public struct ModelChange: Sendable {
    public var records: [(key: String, value: [UInt8])] = []
    /// The control record written (nil: the change writes none).
    public var control: ModelControl?
    /// The version a `publish` wrote.
    public var published: String?

    public init() {}
}

/// The operator's edits of `recsys-models` — publish a version, activate one, roll back, set a canary, unpin — as
/// pure functions from what the topic holds to the records to write (`ModelChange`), plus the Kafka side that
/// reads the topic and writes them.
///
/// Every control edit starts from the control the workers act on (`ModelTopicState.control`) and writes a whole new
/// control record. Choices:
/// - `activate` and `rollback` pin the control, so the trainer stops activating its own versions; `unpin` hands
///   activation back to it. Setting or clearing a canary leaves `pinned` as it is.
/// - `rollback` makes `history[1]` active and drops `history[0]` (the version rolled back from) from the history:
///   a second rollback goes one further back, and the bad version is no longer kept by the registries for rollback.
/// - A worker's registry holds only the active, canary and history versions plus the newest few
///   (`ModelRegistry.maxSpareVersions`) and rejects a control record naming a version it evicted. So when the
///   version to activate or canary is one the registry replay no longer holds, its record is written again (the
///   same bytes, just before the control record): every worker then holds it when the control record arrives.
/// - A read-modify-write: a control record the trainer writes between the read and the write is overwritten.
///   Kafka offers no compare-and-set; run model commands with the control pinned, or when the trainer is idle.
public enum ModelEdits {
    /// Validates a model file and plans its publish: the version record, and with `activate` a control record
    /// making it active (pinned), or with `canaryShare` one making it the canary for that share of users.
    public static func publish(
        file: [UInt8], activate: Bool = false, canaryShare: Double? = nil, state: ModelTopicState
    ) throws(ModelAdminError) -> ModelChange {
        if activate, canaryShare != nil {
            throw ModelAdminError("choose one of --activate and --canary-share")
        }
        if let canaryShare { try check(share: canaryShare) }
        let version: ModelVersion
        do throws(ModelFileError) { version = try ModelFile.decode(file) } catch {
            throw ModelAdminError(error.description)
        }
        let name = version.version
        guard name != ModelControl.key, ModelVersion.isValidName(name) else {
            throw ModelAdminError("'\(name)' cannot be a version name (it is the control record's key)")
        }
        if let existing = state.version(named: name), existing.bytes != file {
            throw ModelAdminError(
                "\(state.topic) already holds a different version '\(name)' (offset \(existing.offset)); "
                    + "version names are unique per publish, give the file a new one")
        }
        var change = ModelChange()
        change.published = name
        change.records.append((name, file))
        var control = state.control
        if activate {
            control.activate(name, pinned: true)
            change.control = control
        } else if let canaryShare {
            guard control.active != name else {
                throw ModelAdminError("'\(name)' is the active version; a canary must be another one")
            }
            (control.canary, control.canaryShare) = (name, canaryShare)
            change.control = control
        }
        if let control = change.control { change.records.append((ModelControl.key, control.encodeJSON())) }
        return change
    }

    /// Makes `version` active for everybody, pinned.
    public static func activate(_ version: String, state: ModelTopicState) throws(ModelAdminError) -> ModelChange {
        let entry = try existing(version, in: state)
        var control = state.control
        control.activate(version, pinned: true)
        return write(control, holding: [entry], state: state)
    }

    /// Goes back to the previously active version (`history[1]`), pinned; see the type's notes for the history.
    public static func rollback(state: ModelTopicState) throws(ModelAdminError) -> ModelChange {
        var control = state.control
        guard control.history.count >= 2 else {
            let history = control.history.isEmpty ? "empty" : control.history.joined(separator: ", ")
            throw ModelAdminError("nothing to roll back to: the activation history of \(state.topic) is \(history)")
        }
        let target = control.history[1]
        let entry = try existing(target, in: state)
        control.history.removeFirst()
        control.activate(target, pinned: true)
        return write(control, holding: [entry], state: state)
    }

    /// Ranks a `share` (0...1) of users — the same users while the share stays — with `version`.
    public static func canary(_ version: String, share: Double, state: ModelTopicState) throws(ModelAdminError)
        -> ModelChange
    {
        try check(share: share)
        let entry = try existing(version, in: state)
        var control = state.control
        guard control.active != version else {
            throw ModelAdminError("'\(version)' is the active version; a canary must be another one")
        }
        (control.canary, control.canaryShare) = (version, share)
        return write(control, holding: [entry], state: state)
    }

    /// Ends the canary: every user is ranked by the active version.
    public static func canaryOff(state: ModelTopicState) -> ModelChange {
        var control = state.control
        (control.canary, control.canaryShare) = (nil, 0)
        return write(control, holding: [], state: state)
    }

    /// Lets the trainer activate the versions it publishes again.
    public static func unpin(state: ModelTopicState) -> ModelChange {
        var control = state.control
        control.pinned = false
        return write(control, holding: [], state: state)
    }

    static func check(share: Double) throws(ModelAdminError) {
        guard share.isFinite, (0...1).contains(share) else {
            throw ModelAdminError("the canary share must be in 0...1 (a fraction of users, 0.1 = 10%), got \(share)")
        }
    }

    static func existing(_ name: String, in state: ModelTopicState) throws(ModelAdminError)
        -> ModelTopicState.Version
    {
        guard let entry = state.version(named: name) else {
            let names = state.validVersionNames
            throw ModelAdminError(
                "\(state.topic) holds no version '\(name)'; "
                    + (names.isEmpty ? "it holds no valid versions" : "versions: \(names.joined(separator: ", "))"))
        }
        if let error = entry.error {
            throw ModelAdminError("version '\(name)' in \(state.topic) is not usable: \(error)")
        }
        return entry
    }

    /// The control record, preceded by the records of `versions` a worker's registry no longer holds.
    static func write(_ control: ModelControl, holding versions: [ModelTopicState.Version], state: ModelTopicState)
        -> ModelChange
    {
        var change = ModelChange()
        for version in versions where state.registry.version(named: version.name) == nil {
            change.records.append((version.name, version.bytes))
        }
        change.records.append((ModelControl.key, control.encodeJSON()))
        change.control = control
        return change
    }
}

/// Reads `recsys-models` and writes `ModelChange`s to it, for `streamrec model`.
public struct ModelAdmin: Sendable {
    public let configuration: KafkaConfiguration
    public let topic: String
    let logger: Logger

    /// The topic is expected to have one partition (as `TopicLayout` creates it): only partition 0 is read and
    /// written, so versions and control records stay in the order they were written.
    public init(
        configuration: KafkaConfiguration, topic: String = "recsys-models",
        logger: Logger = Logger(label: "streamrec.model")
    ) {
        self.configuration = configuration
        self.topic = topic
        self.logger = logger
    }

    /// Reads the topic from its first record to its current end.
    public func read() throws(KafkaError) -> ModelTopicState {
        var readerConfiguration = configuration
        // Required by librdkafka even for assigned partitions; nothing is committed.
        readerConfiguration.groupID = configuration.groupID ?? "streamrec-model-admin"
        let reader = try KafkaPartitionReader(configuration: readerConfiguration, logger: logger)
        var state = ModelTopicState(topic: topic)
        try reader.readAll([TopicPartition(topic: topic, partition: 0)], stallTimeoutMilliseconds: 30_000) {
            state.apply(key: $0.key, value: $0.value, offset: $0.offset)
        }
        return state
    }

    /// Writes the change's records in order with an idempotent producer (acks=all), and waits until the broker
    /// acknowledged every one; throws the first delivery error.
    public func write(_ change: ModelChange, timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        guard !change.records.isEmpty else { return }
        var producerConfiguration = configuration
        producerConfiguration.transactionalID = nil
        producerConfiguration.idempotentProducer = true
        producerConfiguration.lingerMilliseconds = 0
        let reports = Locked<[DeliveryReport]>([])
        let producer = try KafkaProducer(
            configuration: producerConfiguration, logger: logger,
            onDelivery: { report in reports.withLock { $0.append(report) } })
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        for record in change.records {
            try producer.send(
                OutputRecord(
                    topic: topic, partition: 0, key: Array(record.key.utf8), value: record.value, timestamp: now))
        }
        try producer.flush(timeoutMilliseconds: timeoutMilliseconds)
        let delivered = reports.withLock { $0 }
        if let failed = delivered.first(where: { $0.error != nil }), let error = failed.error {
            throw KafkaError(
                code: error.code, name: error.name,
                message: "writing to \(topic): \(error.message)", isRetriable: error.isRetriable)
        }
        guard delivered.count == change.records.count else {
            throw KafkaError(
                code: -185, name: "_TIMED_OUT",
                message: "writing to \(topic): \(delivered.count) of \(change.records.count) records acknowledged")
        }
    }
}
