import StreamEngine

/// One labelled impression on the internal training topic: an item of a list, the features it was ranked with, and
/// whether the user acted on it within the training horizon.
public struct TrainingExample: Sendable, Equatable {
    /// The version that ranked the list ("blend" before any learned version).
    public var model: String
    public var clicked: Bool
    public var features: [Feature]

    public init(model: String, clicked: Bool, features: [Feature]) {
        self.model = model
        self.clicked = clicked
        self.features = features
    }

    package func encode() -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + features.count * 8)
        writer.write(model)
        writer.write(clicked)
        writer.write(features.count)
        for feature in features {
            writer.write(feature.field)
            writer.write(feature.index)
            writer.write(feature.value.bitPattern.littleEndian)
        }
        return writer.bytes
    }

    package static func decode(_ bytes: [UInt8]) throws(CheckpointDecodingError) -> TrainingExample {
        var reader = BinaryReader(bytes)
        var example = TrainingExample(model: try reader.readString(), clicked: try reader.readBool(), features: [])
        for _ in 0..<(try reader.readCount()) {
            let field = try reader.readInt()
            let index = try reader.readInt()
            guard let bits = UInt32(exactly: try reader.readUInt64()) else { throw .invalid("feature value") }
            example.features.append(Feature(field: field, index: index, value: Float(bitPattern: bits)))
        }
        return example
    }
}

extension BinaryWriter {
    mutating func write(_ value: UInt32) { write(UInt64(value)) }
}
