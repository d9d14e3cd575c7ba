import StreamEngine

/// A behaviour in checkpointed state: its index in `allCases` (the order is part of the changelog format).
extension Behavior {
    package static func decode(from reader: inout BinaryReader) throws(CheckpointDecodingError) -> Behavior {
        let index = try reader.readInt()
        guard allCases.indices.contains(index) else { throw .invalid("behaviour index \(index)") }
        return allCases[index]
    }
}
