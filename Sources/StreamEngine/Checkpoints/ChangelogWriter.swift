/// Writes one task's checkpoints to its changelog partition and decides when a checkpoint is a full snapshot.
///
/// A checkpoint normally holds only the keys that changed. Once the changes written since the last snapshot
/// outnumber the live keys, the next checkpoint writes every key instead: a restore then reads at most about twice
/// the live state, and the changelog stays restorable on brokers that never compact and keep a bounded log (the
/// embedded one). On real Kafka compaction bounds the log too; the snapshots only cap the restore's reading.
public struct ChangelogWriter: Sendable {
    public let topic: String
    public let partition: Int32
    /// Changes to write before a snapshot is considered, so a small task does not snapshot on every checkpoint.
    public var minimumRecordsBetweenSnapshots = 1_000
    private var recordsSinceSnapshot: Int?
    public private(set) var nextID: UInt64

    /// `restored` continues the numbering and the snapshot schedule of a restored task; without it the first
    /// checkpoint is a snapshot.
    public init(topic: String, partition: Int32, restored: RestoredTask? = nil) {
        self.topic = topic
        self.partition = partition
        recordsSinceSnapshot = restored?.recordsSinceSnapshot
        nextID = (restored?.marker.id ?? 0) + 1
    }

    /// Appends the records of one checkpoint of `store` to `output`: changed (or, for a snapshot, all) keys, then
    /// the marker with `nextOffset` and `taskState`.
    public mutating func checkpoint<Value>(
        _ store: inout KeyedStateStore<String, Value>, nextOffset: Int64, taskState: [UInt8],
        encode: (Value, inout BinaryWriter) -> Void, into output: inout [OutputRecord]
    ) {
        let id = nextID
        nextID += 1
        let changes = store.takeChanges()
        let isSnapshot =
            recordsSinceSnapshot.map { $0 + changes.count > max(store.count, minimumRecordsBetweenSnapshots) } ?? true
        let entries = isSnapshot ? store.storedEntries : changes
        let header = Changelog.header(id)
        for entry in entries {
            var value: [UInt8]?
            if let state = entry.value {
                var writer = BinaryWriter(capacity: 256)
                writer.write(entry.touchedAt)
                writer.write(entry.recency)
                encode(state, &writer)
                value = writer.bytes
            }
            output.append(
                OutputRecord(
                    topic: topic, partition: partition, key: Changelog.stateKey(entry.key), value: value,
                    headers: [header]))
        }
        recordsSinceSnapshot = (isSnapshot ? 0 : recordsSinceSnapshot ?? 0) + entries.count
        let marker = CheckpointMarker(id: id, isSnapshot: isSnapshot, nextOffset: nextOffset, taskState: taskState)
        output.append(
            OutputRecord(
                topic: topic, partition: partition, key: Changelog.markerKey, value: marker.encoded(),
                headers: [header]))
    }

    /// Decodes a restored task's entries into store entries, for `KeyedStateStore.restore`.
    public static func storeEntries<Value>(
        of restored: RestoredTask, decode: (inout BinaryReader) throws(CheckpointDecodingError) -> Value
    ) throws(CheckpointDecodingError) -> [KeyedStateStore<String, Value>.StoredEntry] {
        var result: [KeyedStateStore<String, Value>.StoredEntry] = []
        result.reserveCapacity(restored.entries.count)
        for (key, value) in restored.entries {
            guard let stateKey = Changelog.stateKey(from: key) else { throw .invalid("a state key without its prefix") }
            var reader = BinaryReader(value)
            let touchedAt = try reader.readInt64()
            let recency = try reader.readUInt64()
            result.append(.init(key: stateKey, value: try decode(&reader), touchedAt: touchedAt, recency: recency))
        }
        return result
    }
}
