import StreamEngine
import Testing

@Suite struct BinaryCodingTests {
    @Test func valuesRoundTrip() throws {
        var writer = BinaryWriter()
        let integers: [Int64] = [0, 1, -1, 63, -64, 64, 300, .max, .min]
        for value in integers { writer.write(value) }
        writer.write(3.25)
        writer.write("café")
        writer.write(String?.none)
        writer.write(true)
        var reader = BinaryReader(writer.bytes)
        for value in integers { #expect(try reader.readInt64() == value) }
        #expect(try reader.readDouble() == 3.25)
        #expect(try reader.readString() == "café")
        #expect(try reader.readOptionalString() == nil)
        #expect(try reader.readBool())
        #expect(reader.isAtEnd)
    }

    @Test func everyTruncationIsAnErrorNotACrash() {
        var writer = BinaryWriter()
        writer.write(Int64.min)
        writer.write("a longer string")
        for length in 0..<writer.bytes.count {
            var reader = BinaryReader(Array(writer.bytes.prefix(length)))
            #expect(throws: CheckpointDecodingError.self) {
                _ = try reader.readInt64()
                _ = try reader.readString()
            }
        }
    }

    /// Among them a truncated 4-byte sequence, which decoding repairs to one U+FFFD of the same 3 bytes.
    @Test(arguments: [[0xFF], [0x61, 0xC3], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] as [[UInt8]])
    func aStringThatIsNotUTF8IsAnError(bytes: [UInt8]) {
        var writer = BinaryWriter()
        writer.write(bytes: bytes)
        var reader = BinaryReader(writer.bytes)
        #expect(throws: CheckpointDecodingError.self) { _ = try reader.readString() }
    }

    @Test func aDamagedCountCannotAllocateMoreThanTheRecord() {
        var writer = BinaryWriter()
        writer.write(Int(1) << 40)
        var reader = BinaryReader(writer.bytes)
        #expect(throws: CheckpointDecodingError.self) { _ = try reader.readCount() }
    }
}

@Suite struct ChangelogRestorerTests {
    /// Writes checkpoints of a store the way a task does, into a list standing for the changelog partition.
    struct Log {
        var records: [OutputRecord] = []
        var writer = ChangelogWriter(topic: "changelog", partition: 0)

        mutating func checkpoint(_ store: inout KeyedStateStore<String, Int>, offset: Int64) {
            writer.checkpoint(
                &store, nextOffset: offset, taskState: [7], encode: { $1.write($0) }, into: &records)
        }

        func restore(_ records: [OutputRecord]? = nil) throws -> (RestoredTask, [String: Int])? {
            var restorer = ChangelogRestorer()
            for record in records ?? self.records {
                restorer.apply(key: record.key, value: record.value, headers: record.headers)
            }
            guard let restored = restorer.finish() else { return nil }
            let entries = try ChangelogWriter.storeEntries(of: restored) { (reader) throws(CheckpointDecodingError) in
                try reader.readInt()
            }
            return (restored, Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value!) }))
        }
    }

    func store() -> KeyedStateStore<String, Int> {
        var store = KeyedStateStore<String, Int>(bounds: .init(maxKeys: 100))
        store.trackChanges()
        return store
    }

    @Test func anEmptyChangelogRestoresNothing() throws {
        #expect(try Log().restore() == nil)
    }

    @Test func restoresTheLastCompleteCheckpointWithItsOffsetAndTaskState() throws {
        var log = Log()
        var store = store()
        store.update("a", at: 1, default: { 0 }) { $0 = 1 }
        store.update("b", at: 2, default: { 0 }) { $0 = 2 }
        log.checkpoint(&store, offset: 10)
        store.update("a", at: 3, default: { 0 }) { $0 = 10 }
        store.remove("b")
        store.update("c", at: 4, default: { 0 }) { $0 = 3 }
        log.checkpoint(&store, offset: 20)
        let (restored, state) = try #require(try log.restore())
        #expect(state == ["a": 10, "c": 3])
        #expect(restored.marker.nextOffset == 20)
        #expect(restored.marker.taskState == [7])
        #expect(restored.ignoredRecords == 0)
    }

    @Test func recordsOfACheckpointWithoutItsMarkerAreIgnored() throws {
        var log = Log()
        var store = store()
        store.update("a", at: 1, default: { 0 }) { $0 = 1 }
        log.checkpoint(&store, offset: 10)
        store.update("a", at: 2, default: { 0 }) { $0 = 99 }
        store.update("z", at: 2, default: { 0 }) { $0 = 99 }
        log.checkpoint(&store, offset: 20)
        // The crash came before the marker: the second checkpoint's records are there, its marker is not.
        let cut = Array(log.records.dropLast())
        let (restored, state) = try #require(try log.restore(cut))
        #expect(state == ["a": 1])
        #expect(restored.marker.nextOffset == 10)
        #expect(restored.ignoredRecords == 2)
    }

    @Test func anAbortedAttemptBetweenTwoCompleteCheckpointsIsIgnored() throws {
        var log = Log()
        var store = store()
        store.update("a", at: 1, default: { 0 }) { $0 = 1 }
        log.checkpoint(&store, offset: 10)
        // Attempt 2 is aborted after its records were written; the retry writes checkpoint 3 without key "z".
        var aborted = log
        store.update("z", at: 2, default: { 0 }) { $0 = 5 }
        aborted.checkpoint(&store, offset: 20)
        let orphans = aborted.records[log.records.count..<aborted.records.count - 1]
        log.records += orphans
        log.writer = aborted.writer
        store.remove("z")
        store.update("a", at: 3, default: { 0 }) { $0 = 2 }
        log.checkpoint(&store, offset: 20)
        let (restored, state) = try #require(try log.restore())
        #expect(state == ["a": 2])
        #expect(restored.marker.id == 3)
        #expect(restored.ignoredRecords == orphans.count)
    }

    @Test func recordsBeforeTheFirstVisibleMarkerSurviveCompaction() throws {
        // A compacted log keeps a key's newest record and only the newest marker.
        var log = Log()
        var store = store()
        store.update("old", at: 1, default: { 0 }) { $0 = 1 }
        log.checkpoint(&store, offset: 10)
        for offset in 1...3 {
            store.update("hot", at: Int64(offset), default: { 0 }) { $0 = offset }
            log.checkpoint(&store, offset: 10 + Int64(offset))
        }
        var latest: [[UInt8]: Int] = [:]
        for (index, record) in log.records.enumerated() { latest[record.key!] = index }
        let compacted = log.records.indices.filter { latest[log.records[$0].key!] == $0 }.map { log.records[$0] }
        let (_, state) = try #require(try log.restore(compacted))
        #expect(state == ["old": 1, "hot": 3])
    }

    @Test func snapshotsReplaceEverythingBeforeThemAndBoundTheRead() throws {
        var log = Log()
        log.writer.minimumRecordsBetweenSnapshots = 10
        var store = store()
        for round in 0..<50 {
            store.update("k\(round % 5)", at: Int64(round), default: { 0 }) { $0 = round }
            log.checkpoint(&store, offset: Int64(round))
        }
        let (restored, state) = try #require(try log.restore())
        #expect(state == Dictionary(uniqueKeysWithValues: (45..<50).map { ("k\($0 % 5)", $0) }))
        // Truncated in front (a broker's retention) to the last snapshot: the same state comes back.
        let markers = log.records.indices.filter { log.records[$0].key == Changelog.markerKey }
        let snapshots = try markers.filter { try CheckpointMarker(decoding: log.records[$0].value!).isSnapshot }
        #expect(snapshots.count > 2)
        let start = markers.last { $0 < snapshots.last! }! + 1
        let (_, truncated) = try #require(try log.restore(Array(log.records[start...])))
        #expect(truncated == state)
        #expect(restored.recordsSinceSnapshot <= 10)
    }
}

@Suite struct StoreRestoreTests {
    @Test func aRestoredStoreEvictsAndExpiresInTheSameOrder() {
        var original = KeyedStateStore<String, Int>(bounds: .init(maxKeys: 5, ttl: 100))
        for (index, key) in ["a", "b", "c", "d", "a", "e", "b"].enumerated() {
            original.update(key, at: Int64(index * 10), default: { 0 }) { $0 += 1 }
        }
        var restored = KeyedStateStore<String, Int>(bounds: .init(maxKeys: 5, ttl: 100))
        restored.restore(original.storedEntries.shuffled())
        #expect(restored.entries.map(\.key) == original.entries.map(\.key))
        for key in ["f", "g"] {
            let left = original.update(key, at: 70, default: { 0 }) { _ in }.evicted?.key
            let right = restored.update(key, at: 70, default: { 0 }) { _ in }.evicted?.key
            #expect(left == right)
        }
        #expect(original.expire(watermark: 150).map(\.key) == restored.expire(watermark: 150).map(\.key))
    }

    @Test func changesAreTrackedOnlyWhenAsked() {
        var store = KeyedStateStore<String, Int>(bounds: .init(maxKeys: 2))
        store.update("a", at: 1, default: { 0 }) { $0 = 1 }
        #expect(store.takeChanges().isEmpty)
        store.trackChanges()
        store.update("a", at: 2, default: { 0 }) { $0 = 2 }
        store.update("b", at: 3, default: { 0 }) { $0 = 3 }
        store.update("c", at: 4, default: { 0 }) { $0 = 4 }  // evicts "a"
        let changes = Dictionary(uniqueKeysWithValues: store.takeChanges().map { ($0.key, $0.value ?? -1) })
        #expect(changes == ["a": -1, "b": 3, "c": 4])
        #expect(store.takeChanges().isEmpty)
    }
}
