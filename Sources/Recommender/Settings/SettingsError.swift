/// A setting a user gave is out of its bounds; the message names the setting (its flag) and what to do.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension SettingsError {
    /// Throws unless `value` is positive; `name` is the setting's flag.
    package static func requirePositive(_ value: Int64, _ name: String) throws(SettingsError) {
        if value <= 0 { throw SettingsError("\(name) must be positive, got \(value)") }
    }

    package static func requirePositive(_ value: Int, _ name: String) throws(SettingsError) {
        try requirePositive(Int64(value), name)
    }

    package static func requireNonNegative(_ value: Int64, _ name: String) throws(SettingsError) {
        if value < 0 { throw SettingsError("\(name) cannot be negative") }
    }
}
