import StreamEngine

/// One past interaction of a user, as much as ranking needs.
public struct Interaction: Sendable, Hashable {
    public let itemId: String
    public var categoryId: String?
    public var behavior: Behavior
    public var timestamp: Int64
    /// `itemId`'s hash, computed once when the interaction is recorded: every feed checks its candidates against the
    /// user's history (`ItemExclusions`).
    package let itemHash: Int

    public init(itemId: String, categoryId: String?, behavior: Behavior, timestamp: Int64) {
        (self.itemId, self.categoryId, self.behavior, self.timestamp) = (itemId, categoryId, behavior, timestamp)
        itemHash = itemId.hashValue
    }
}

/// The last `capacity` interactions of a user, newest last — a ring buffer, so a hot user costs the same as any other.
public struct RecentHistory: Sendable {
    public let capacity: Int
    // Bound: `capacity` entries.
    private var buffer: [Interaction] = []
    private var next = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "history capacity must be positive")
        self.capacity = capacity
    }

    public mutating func append(_ interaction: Interaction) {
        if buffer.count < capacity {
            buffer.append(interaction)
        } else {
            buffer[next] = interaction
        }
        next = (next + 1) % capacity
    }

    /// Oldest first.
    public var interactions: [Interaction] {
        buffer.count < capacity ? buffer : Array(buffer[next...] + buffer[..<next])
    }

    /// Newest first, without copying the buffer.
    public var newestFirst: some Sequence<Interaction> {
        let (buffer, next, count) = (buffer, next, buffer.count)
        return (0..<count).lazy.map { offset in buffer[(next - 1 - offset + count) % count] }
    }

    public var count: Int { buffer.count }

    /// Each interaction's item id and its hash, in no particular order (an item once per interaction with it).
    package func forEachItem(_ body: (String, Int) -> Void) {
        for interaction in buffer { body(interaction.itemId, interaction.itemHash) }
    }

    package func encode(to writer: inout BinaryWriter) {
        let interactions = self.interactions
        writer.write(interactions.count)
        for interaction in interactions {
            writer.write(interaction.itemId)
            writer.write(interaction.categoryId)
            writer.write(interaction.behavior.index)
            writer.write(interaction.timestamp)
        }
    }

    /// Fills a new history (made with the deployment's capacity) from a checkpoint.
    package mutating func restore(from reader: inout BinaryReader) throws(CheckpointDecodingError) {
        for _ in 0..<(try reader.readCount()) {
            append(
                Interaction(
                    itemId: try reader.readString(), categoryId: try reader.readOptionalString(),
                    behavior: try Behavior.decode(from: &reader), timestamp: try reader.readInt64()))
        }
    }
}
