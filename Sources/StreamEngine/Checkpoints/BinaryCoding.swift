/// A compact binary encoding for state checkpoints: LEB128 varints (zigzag for signed values), doubles as their bit
/// pattern, strings and byte arrays with a length prefix. Fast to write and read, and small on the changelog — the
/// changelog is read back in full on every restore.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    public mutating func write(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    public mutating func write(_ value: Int64) { write(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
    public mutating func write(_ value: Int) { write(Int64(value)) }
    public mutating func write(_ value: Int32) { write(Int64(value)) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { write(bytes: $0) }
    }

    public mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    public mutating func write(bytes value: some Collection<UInt8>) {
        write(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}

/// The reading side of `BinaryWriter`. Every read checks the bounds: a damaged checkpoint is an error, not a crash.
public struct BinaryReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int

    public init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var isAtEnd: Bool { position == bytes.count }

    public mutating func readUInt64() throws(CheckpointDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw .truncated }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    public mutating func readInt64() throws(CheckpointDecodingError) -> Int64 {
        let raw = try readUInt64()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    public mutating func readInt() throws(CheckpointDecodingError) -> Int { Int(try readInt64()) }

    public mutating func readInt32() throws(CheckpointDecodingError) -> Int32 {
        guard let value = Int32(exactly: try readInt64()) else { throw .invalid("an int32 out of range") }
        return value
    }

    public mutating func readDouble() throws(CheckpointDecodingError) -> Double {
        Double(bitPattern: try readUInt64())
    }

    public mutating func readBool() throws(CheckpointDecodingError) -> Bool {
        guard position < bytes.count else { throw .truncated }
        defer { position += 1 }
        return bytes[position] != 0
    }

    public mutating func readBytes() throws(CheckpointDecodingError) -> ArraySlice<UInt8> {
        let count = try readUInt64()
        guard count <= UInt64(bytes.count - position) else { throw .truncated }
        defer { position += Int(count) }
        return bytes[position..<position + Int(count)]
    }

    public mutating func readString() throws(CheckpointDecodingError) -> String {
        let slice = try readBytes()
        // Decoded (invalid bytes repaired), then compared with the bytes: the same check as
        // `String(validating:as:)`, whose generic encoding cost a metadata lookup per string — an item-table row has
        // dozens of ids, ~2 % of a replay in a profile.
        let text = String(decoding: slice, as: UTF8.self)
        guard text.utf8.elementsEqual(slice) else { throw .invalid("a string is not UTF-8") }
        return text
    }

    public mutating func readOptionalString() throws(CheckpointDecodingError) -> String? {
        try readBool() ? try readString() : nil
    }

    /// Reads a count (written with `write(_: Int)`) and checks it against what is left, so a damaged count cannot
    /// make a huge allocation.
    public mutating func readCount() throws(CheckpointDecodingError) -> Int {
        let count = try readInt64()
        guard count >= 0, count <= Int64(bytes.count - position) else {
            throw .invalid("a count of \(count) with \(bytes.count - position) bytes left")
        }
        return Int(count)
    }

    /// Everything not read yet.
    public mutating func readRemaining() -> ArraySlice<UInt8> {
        defer { position = bytes.count }
        return bytes[position...]
    }
}

public enum CheckpointDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated: "checkpoint record is truncated"
        case .invalid(let reason): "checkpoint record is invalid: \(reason)"
        }
    }
}
