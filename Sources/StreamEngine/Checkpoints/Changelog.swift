/// How a task's state lives on its changelog partition. A checkpoint is a run of state records (a key's latest
/// value, or a tombstone for a key that left) followed by one marker that says the checkpoint is complete and holds
/// the task's input position and small task-wide state. Every record carries the checkpoint's id in a header.
///
/// Markers make the changelog self-describing on brokers that do not hide aborted transactions: a restore ignores
/// the records of a checkpoint whose marker never arrived. On a broker with transactions the aborted records are
/// hidden anyway and the markers only carry the positions.
public enum Changelog {
    public static let checkpointHeader = "streamrec-checkpoint"
    public static let markerKey: [UInt8] = Array("m:checkpoint".utf8)
    private static let statePrefix: [UInt8] = Array("s:".utf8)

    public static func stateKey(_ key: String) -> [UInt8] { statePrefix + Array(key.utf8) }

    public static func stateKey(from bytes: [UInt8]) -> String? {
        guard bytes.starts(with: statePrefix) else { return nil }
        return String(validating: bytes[statePrefix.count...], as: UTF8.self)
    }

    public static func checkpointID(of headers: [RecordHeader]) -> UInt64? {
        guard let value = headers.first(where: { $0.name == checkpointHeader })?.value else { return nil }
        return UInt64(String(decoding: value, as: UTF8.self))
    }

    static func header(_ id: UInt64) -> RecordHeader { RecordHeader(checkpointHeader, String(id)) }
}

/// The last record of a checkpoint.
public struct CheckpointMarker: Sendable, Equatable {
    /// Increases with every checkpoint a task writes and is never reused, not even after an abort, so the records of
    /// an aborted attempt cannot be mistaken for those of its retry.
    public var id: UInt64
    /// A snapshot checkpoint holds every key of the task; a restore can start from it and forget what came before.
    public var isSnapshot: Bool
    /// The next input offset of the task's partition: where processing resumes after a restore.
    public var nextOffset: Int64
    /// Task-wide state (watermarks and the like), encoded by the task.
    public var taskState: [UInt8]

    public init(id: UInt64, isSnapshot: Bool, nextOffset: Int64, taskState: [UInt8]) {
        self.id = id
        self.isSnapshot = isSnapshot
        self.nextOffset = nextOffset
        self.taskState = taskState
    }

    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 32 + taskState.count)
        writer.write(id)
        writer.write(isSnapshot)
        writer.write(nextOffset)
        writer.write(bytes: taskState)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(CheckpointDecodingError) {
        var reader = BinaryReader(bytes)
        id = try reader.readUInt64()
        isSnapshot = try reader.readBool()
        nextOffset = try reader.readInt64()
        taskState = Array(try reader.readBytes())
    }
}

/// A task's state as of its last complete checkpoint, read back from its changelog partition.
public struct RestoredTask: Sendable {
    public var marker: CheckpointMarker
    /// Live state records (key and value as written), without tombstones and markers.
    public var entries: [(key: [UInt8], value: [UInt8])]
    /// Records written since the last snapshot: the writer's next snapshot decision continues from it.
    public var recordsSinceSnapshot: Int
    /// Records of checkpoints that never completed (aborted or cut off by a crash).
    public var ignoredRecords: Int
}

/// Rebuilds a task's state from its changelog records in offset order. Plain Swift: the Kafka edge feeds it.
///
/// Rules, chosen to be right both on real Kafka (read_committed, compaction) and on brokers that show aborted
/// records and never compact: records wait until the marker of their checkpoint arrives; records of a checkpoint
/// whose marker is missing between two markers, or after the last one, are ignored. Records older than the first
/// marker seen are kept: on a compacted log their markers were compacted away (only the newest marker of a task
/// survives compaction), and a broker that keeps aborted records also keeps every marker.
public struct ChangelogRestorer: Sendable {
    private var confirmed: [[UInt8]: [UInt8]] = [:]
    // Bound: the records since the last marker — one checkpoint, plus those of an attempt that never completed.
    private var pending: [(id: UInt64, key: [UInt8], value: [UInt8]?)] = []
    private var latest: CheckpointMarker?
    private var sinceSnapshot = 0
    public private(set) var ignoredRecords = 0
    public private(set) var recordsRead = 0

    public init() {}

    public mutating func apply(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) {
        recordsRead += 1
        guard let key, let id = Changelog.checkpointID(of: headers) else {
            ignoredRecords += 1
            return
        }
        guard key == Changelog.markerKey else {
            pending.append((id, key, value))
            return
        }
        guard let value, let marker = try? CheckpointMarker(decoding: value), marker.id == id else {
            ignoredRecords += 1
            return
        }
        complete(marker)
    }

    private mutating func complete(_ marker: CheckpointMarker) {
        let first = latest == nil
        let belongs = { (id: UInt64) in id == marker.id || (first && id < marker.id) }
        if marker.isSnapshot {
            confirmed.removeAll(keepingCapacity: true)
            sinceSnapshot = 0
        }
        var kept: [(id: UInt64, key: [UInt8], value: [UInt8]?)] = []
        for record in pending {
            if belongs(record.id) && (!marker.isSnapshot || record.id == marker.id) {
                confirmed[record.key] = record.value
                sinceSnapshot += 1
            } else if record.id > marker.id {
                kept.append(record)  // a later checkpoint interleaved by a second writer; its marker may follow
            } else {
                ignoredRecords += 1
            }
        }
        pending = kept
        latest = marker
    }

    /// The state as of the last complete checkpoint, or nil when the changelog holds none (a new task).
    public consuming func finish() -> RestoredTask? {
        guard let latest else { return nil }
        return RestoredTask(
            marker: latest, entries: confirmed.map { ($0.key, $0.value) }, recordsSinceSnapshot: sinceSnapshot,
            ignoredRecords: ignoredRecords + pending.count)
    }
}
