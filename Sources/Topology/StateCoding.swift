import Recommender
import StreamEngine

// How task state is written to the changelog. Collections are written in sorted order, so the same state always
// gives the same bytes (a restored state can be compared with the original byte for byte).

extension BinaryWriter {
    mutating func write(counts: [Int]) {
        write(counts.count)
        for count in counts { write(count) }
    }

    mutating func write(sorted strings: SmallSet<String>) {
        write(strings.count)
        for string in strings.elements.sorted() { write(string) }
    }
}

extension BinaryReader {
    mutating func readCounts() throws(CheckpointDecodingError) -> [Int] {
        var counts = [Int](repeating: 0, count: Behavior.allCases.count)
        let stored = try readCount()
        guard stored == counts.count else { throw .invalid("\(stored) behaviour counts, expected \(counts.count)") }
        for index in counts.indices { counts[index] = try readInt() }
        return counts
    }

    mutating func readStringSet() throws(CheckpointDecodingError) -> SmallSet<String> {
        var strings = SmallSet<String>()
        for _ in 0..<(try readCount()) { strings.insert(try readString()) }
        return strings
    }

    /// A map from window start to accumulator.
    mutating func readWindows<Accumulator>(
        _ decode: (inout BinaryReader) throws(CheckpointDecodingError) -> Accumulator
    ) throws(CheckpointDecodingError) -> [Int64: Accumulator] {
        var windows: [Int64: Accumulator] = [:]
        for _ in 0..<(try readCount()) {
            let start = try readInt64()
            windows[start] = try decode(&self)
        }
        return windows
    }
}

extension BinaryWriter {
    mutating func write<Accumulator>(
        windows: [Int64: Accumulator], _ encode: (Accumulator, inout BinaryWriter) -> Void
    ) {
        write(windows.count)
        for (start, accumulator) in windows.sorted(by: { $0.key < $1.key }) {
            write(start)
            encode(accumulator, &self)
        }
    }
}

extension UserWindowAggregator.Accumulator {
    func encode(to writer: inout BinaryWriter) {
        writer.write(counts: counts)
        writer.write(sorted: items)
        writer.write(categoryWeights.count)
        for (category, weight) in categoryWeights.entries.sorted(by: { $0.key < $1.key }) {
            writer.write(category)
            writer.write(weight)
        }
        writer.write(firstEvent)
        writer.write(lastEvent)
    }

    static func decode(from reader: inout BinaryReader) throws(CheckpointDecodingError) -> Self {
        var accumulator = Self()
        accumulator.counts = try reader.readCounts()
        accumulator.items = try reader.readStringSet()
        for _ in 0..<(try reader.readCount()) {
            let (category, weight) = (try reader.readString(), try reader.readDouble())
            accumulator.categoryWeights.update(category, initial: weight) { _ in }
        }
        accumulator.firstEvent = try reader.readInt64()
        accumulator.lastEvent = try reader.readInt64()
        return accumulator
    }
}

extension ItemWindowAggregator.Accumulator {
    func encode(to writer: inout BinaryWriter) {
        writer.write(counts: counts)
        writer.write(score)
        writer.write(sorted: users)
    }

    static func decode(from reader: inout BinaryReader) throws(CheckpointDecodingError) -> Self {
        var accumulator = Self()
        accumulator.counts = try reader.readCounts()
        accumulator.score = try reader.readDouble()
        accumulator.users = try reader.readStringSet()
        return accumulator
    }
}

extension UserState {
    func encode(to writer: inout BinaryWriter) {
        history.encode(to: &writer)
        interest.encode(to: &writer)
        writer.write(windows: openWindows) { $0.encode(to: &$1) }
        writer.write(lastRecommendationAt)
        for list in [cart, purchased] {
            writer.write(list.count)
            for itemId in list { writer.write(itemId) }
        }
    }

    static func decode(
        from reader: inout BinaryReader, settings: PipelineSettings
    ) throws(CheckpointDecodingError) -> UserState {
        var state = UserState(settings: settings.user)
        try state.history.restore(from: &reader)
        try state.interest.restore(from: &reader)
        state.openWindows = try reader.readWindows { (reader) throws(CheckpointDecodingError) in
            try UserWindowAggregator.Accumulator.decode(from: &reader)
        }
        state.lastRecommendationAt = try reader.readInt64()
        for keyPath in [\UserState.cart, \UserState.purchased] {
            for _ in 0..<(try reader.readCount()) { state[keyPath: keyPath].append(try reader.readString()) }
        }
        return state
    }
}

extension ItemTask.ItemState {
    func encode(to writer: inout BinaryWriter) {
        writer.write(category)
        writer.write(windows: openWindows) { $0.encode(to: &$1) }
        writer.write(previousWindow != nil)
        if let previousWindow {
            writer.write(previousWindow.start)
            writer.write(previousWindow.score)
        }
        writer.write(totalScore)
        writer.write(lastPublished)
        writer.write(trend)
        writer.write(trendWindowEnd)
        coOccurrence.encode(to: &writer)
        writer.write(similarDigest)
        writer.write(lastSimilarAt)
        writer.write(lastNeighboursAt)
        writer.write(unpublished)
    }

    static func decode(from reader: inout BinaryReader) throws(CheckpointDecodingError) -> Self {
        var state = Self()
        state.category = try reader.readOptionalString()
        state.openWindows = try reader.readWindows { (reader) throws(CheckpointDecodingError) in
            try ItemWindowAggregator.Accumulator.decode(from: &reader)
        }
        if try reader.readBool() { state.previousWindow = (try reader.readInt64(), try reader.readDouble()) }
        state.totalScore = try reader.readDouble()
        state.lastPublished = try reader.readInt64()
        state.trend = try reader.readDouble()
        state.trendWindowEnd = try reader.readInt64()
        state.coOccurrence = try CoOccurrenceCounts.decode(from: &reader)
        state.similarDigest = try reader.readUInt64()
        state.lastSimilarAt = try reader.readInt64()
        state.lastNeighboursAt = try reader.readInt64()
        state.unpublished = try reader.readBool()
        return state
    }
}
