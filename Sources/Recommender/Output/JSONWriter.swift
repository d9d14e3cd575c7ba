/// Appends compact JSON to a byte buffer. Hand-written because the outputs are written for every event and
/// Foundation's encoders cost more than the rest of the pipeline together.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Bit n is set when the container at depth n already has an element, so the next one needs a comma. A bit set
    /// instead of a stack keeps the writer free of allocations; 64 levels are far more than any StreamRec record has.
    private var needsComma: UInt64 = 0
    private var depth = 0

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() { beginContainer(UInt8(ascii: "{")) }
    public mutating func endObject() { endContainer(UInt8(ascii: "}")) }
    public mutating func beginArray() { beginContainer(UInt8(ascii: "[")) }
    public mutating func endArray() { endContainer(UInt8(ascii: "]")) }

    /// Writes `"name":` inside an object; the value call follows. Names are the program's own literals, so they
    /// are copied without escaping.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma &= ~(1 << depth)
    }

    /// A member name computed at run time (escaped like any string).
    public mutating func dynamicKey(_ name: String) {
        separate()
        Self.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma &= ~(1 << depth)
    }

    public mutating func value(_ text: String) {
        separate()
        Self.appendString(text, to: &bytes)
    }

    public mutating func value(_ number: Int64) {
        separate()
        appendDigits(number)
    }

    private mutating func appendDigits(_ number: Int64) { Self.appendDigits(number, to: &bytes) }

    /// Decimal digits of an integer, without going through String.
    static func appendDigits(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch: UInt64.max has 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: scratch[position...])
        }
    }

    public mutating func value(_ number: Int) { value(Int64(number)) }

    /// Rounded to 6 decimals: enough for scores and weights, and the same text on every platform. Numbers too large
    /// for that fixed-point form are written by Swift's shortest round-trip formatting.
    public mutating func value(_ number: Double) {
        separate()
        guard number.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        guard abs(number) < 9e12 else {
            bytes.append(contentsOf: "\(number)".utf8)
            return
        }
        let micros = Int64((number * 1_000_000).rounded())
        if micros < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(Int64(micros.magnitude / 1_000_000))
        var fraction = micros.magnitude % 1_000_000
        guard fraction > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var width = 6
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    public mutating func value(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func field(_ name: StaticString, _ text: String) {
        key(name)
        value(text)
    }

    public mutating func field(_ name: StaticString, _ number: Int64) {
        key(name)
        value(number)
    }

    public mutating func field(_ name: StaticString, _ number: Int) {
        key(name)
        value(number)
    }

    public mutating func field(_ name: StaticString, _ number: Double) {
        key(name)
        value(number)
    }

    /// A string value written in pieces (`value(_: Reason)`): `beginString`, any `append…`, `endString`.
    mutating func beginString() {
        separate()
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func endString() { bytes.append(UInt8(ascii: "\"")) }

    /// The program's own text, inside a string: copied without escaping.
    mutating func appendUnescaped(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func appendUnescaped(_ number: Int) { appendDigits(Int64(number)) }

    /// Run-time text inside a string, escaped.
    mutating func appendEscaped(_ text: String) { Self.appendContents(text, to: &bytes) }

    private mutating func beginContainer(_ opener: UInt8) {
        separate()
        bytes.append(opener)
        depth += 1
        precondition(depth < 64, "JSONWriter supports 63 levels of nesting")
        needsComma &= ~(1 << depth)
    }

    private mutating func endContainer(_ closer: UInt8) {
        depth -= 1
        bytes.append(closer)
    }

    private mutating func separate() {
        if needsComma & (1 << depth) != 0 { bytes.append(UInt8(ascii: ",")) }
        needsComma |= 1 << depth
    }

    /// Appends a JSON string literal with the escapes RFC 8259 requires.
    public static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        appendContents(text, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string's contents with the escapes RFC 8259 requires, without the quotes.
    static func appendContents(_ text: String, to bytes: inout [UInt8]) {
        var text = text  // withUTF8 needs a mutable string; a native string is not copied
        text.withUTF8 { utf8 in
            // Ids and reasons rarely need escapes: copy them whole when none is needed.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
            } else {
                for byte in utf8 { appendEscaped(byte, to: &bytes) }
            }
        }
    }

    private static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: Array("\\u00".utf8))
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }
}
