import ArgumentParser
import Configuration
import Foundation
import Kafka
import SystemPackage

/// Where settings come from, in precedence order: command-line flags, then environment variables
/// `STREAMREC_<KEY>` (e.g. `STREAMREC_TOP_N`), then a JSON config file (`--config-file`, keys as the flags without
/// dashes in front: `{"top-n": 20, "brokers": "kafka:9092", "kafka": {"security.protocol": "SASL_SSL"}}`), then
/// the defaults. librdkafka properties pass through as `kafka` in the file, `STREAMREC_KAFKA_<NAME>` in the
/// environment (underscores become dots: `STREAMREC_KAFKA_SASL_PASSWORD` → `sasl.password`) and `--config` flags.
struct ConfigurationSources {
    private let reader: ConfigReader
    private let file: String?
    private let fileKafka: [String: String]
    private let environmentKafka: [String: String]

    static let environmentPrefix = "STREAMREC_"

    /// Flags and environment only (commands without a config file).
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let (provider, kafka) = Self.environmentProvider(environment)
        self.init(reader: ConfigReader(providers: [provider]), file: nil, fileKafka: [:], environmentKafka: kafka)
    }

    private init(reader: ConfigReader, file: String?, fileKafka: [String: String], environmentKafka: [String: String]) {
        self.reader = reader
        self.file = file
        self.fileKafka = fileKafka
        self.environmentKafka = environmentKafka
    }

    /// The provider maps key `top-n` to `TOP_N`; it sees only our variables, with the prefix taken off.
    private static func environmentProvider(_ environment: [String: String]) -> (
        EnvironmentVariablesProvider, [String: String]
    ) {
        var ours: [String: String] = [:]
        var kafka: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(environmentPrefix) {
            let key = String(name.dropFirst(environmentPrefix.count))
            if key.hasPrefix("KAFKA_") {
                kafka[key.dropFirst("KAFKA_".count).lowercased().replacingOccurrences(of: "_", with: ".")] = value
            } else {
                ours[key] = value
            }
        }
        let provider = EnvironmentVariablesProvider(
            environmentVariables: ours, secretsSpecifier: .dynamic { key, _ in KafkaConfiguration.isSecret(key) })
        return (provider, kafka)
    }

    /// Flags, environment and (when given) a JSON file.
    static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws -> ConfigurationSources
    {
        let (environmentProvider, kafka) = Self.environmentProvider(environment)
        var providers: [any ConfigProvider] = [environmentProvider]
        var fileKafka: [String: String] = [:]
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ValidationError("--config-file \(file): no such readable file")
            }
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ValidationError("--config-file \(file): not a JSON object of settings (\(error))")
            }
            fileKafka = try Self.kafkaSection(of: file)
        }
        return ConfigurationSources(
            reader: ConfigReader(providers: providers), file: file, fileKafka: fileKafka, environmentKafka: kafka)
    }

    /// The `kafka` object of the file, values as librdkafka wants them (strings).
    private static func kafkaSection(of file: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        guard let section = root["kafka"] else { return [:] }
        guard let properties = section as? [String: Any] else {
            throw ValidationError("--config-file \(file): \"kafka\" must be an object of librdkafka properties")
        }
        return properties.mapValues { value in
            if let flag = value as? Bool { return String(flag) }
            return "\(value)"
        }
    }

    /// An integer setting: nil when neither the environment nor the file sets it.
    func optionalInt(_ key: String) throws -> Int? {
        if let value = reader.int(forKey: ConfigKey(key)) { return value }
        if let text = reader.string(forKey: ConfigKey(key)) {
            throw ValidationError("\(origin(of: key)): expected an integer, got '\(text)'")
        }
        return nil
    }

    /// A text setting (a number in the file reads as its digits): nil when neither the environment nor the file
    /// sets it.
    func optionalString(_ key: String) throws -> String? {
        if let value = reader.string(forKey: ConfigKey(key)) { return value }
        if let number = reader.int(forKey: ConfigKey(key)) { return String(number) }
        return nil
    }

    /// A number setting: a JSON number in the file, its text in the environment.
    func optionalDouble(_ key: String) throws -> Double? {
        if let value = reader.double(forKey: ConfigKey(key)) { return value }
        guard let text = try optionalString(key) else { return nil }
        guard let value = Double(text) else {
            throw ValidationError("\(origin(of: key)): expected a number, got '\(text)'")
        }
        return value
    }

    /// A Boolean setting: JSON `true`/`false` in the file, `true`/`false` in the environment.
    func optionalBool(_ key: String) throws -> Bool? {
        if let value = reader.bool(forKey: ConfigKey(key)) { return value }
        guard let text = reader.string(forKey: ConfigKey(key)) else { return nil }
        guard let value = Bool(text) else {
            throw ValidationError("\(origin(of: key)) must be true or false, got '\(text)'")
        }
        return value
    }

    /// librdkafka properties: the file's, overridden by the environment's, overridden by `--config` flags.
    func kafkaProperties(flags: [String: String]) -> [String: String] {
        fileKafka.merging(environmentKafka) { $1 }.merging(flags) { $1 }
    }

    /// Where a key's value was found, for error messages that say what to fix.
    func origin(of key: String) -> String {
        let variable = Self.environmentPrefix + key.uppercased().replacingOccurrences(of: "-", with: "_")
        return file.map { "\(variable) or \"\(key)\" in \($0)" } ?? variable
    }
}

/// One setting, declared once: its key — the flag `--<key>`, `"<key>"` in the config file, `STREAMREC_<KEY>` in the
/// environment —, its default (the library's own where it has one), its bound and its help. An option declares
/// `@Option(setting) var …` and reads its value with `sources.value(of: setting, flag:)`, so the CLI, the environment
/// and the file name, default and check it alike (hummingbird's `Application+ConfigReader` way).
struct Setting<Value: SettingValue>: Sendable {
    let key: String
    /// nil: the library picks the default from other settings (`defaultText` says how).
    let defaultValue: Value?
    let bound: SettingBound<Value>?
    private let abstract: String
    private let defaultText: String?

    init(
        _ key: String, default defaultValue: Value?, bound: SettingBound<Value>? = nil, help abstract: String,
        defaultText: String? = nil
    ) {
        self.key = key
        self.defaultValue = defaultValue
        self.bound = bound
        self.abstract = abstract
        self.defaultText = defaultText
    }

    var name: NameSpecification { .customLong(key) }

    var help: ArgumentHelp {
        let fallback = defaultText ?? defaultValue?.defaultValueDescription ?? "none"
        return ArgumentHelp("\(abstract) (default: \(fallback))")
    }

    /// The value as given, when it keeps the bound; `origin` is where it was given, for the message.
    func checked(_ value: Value, from origin: String) throws -> Value {
        guard let bound, !bound.holds(value) else { return value }
        throw ValidationError("\(origin) must be \(bound.requirement), got \(value)")
    }
}

/// What a setting's values must be, said in its error message.
struct SettingBound<Value>: Sendable {
    let requirement: String
    let holds: @Sendable (Value) -> Bool
}

extension SettingBound where Value: Comparable & ExpressibleByIntegerLiteral & SendableMetatype {
    static var positive: SettingBound { SettingBound(requirement: "positive") { $0 > 0 } }
    static var nonNegative: SettingBound { SettingBound(requirement: "0 or more") { $0 >= 0 } }
}

extension SettingBound where Value == Int {
    static func within(_ range: ClosedRange<Int>) -> SettingBound {
        SettingBound(requirement: "\(range.lowerBound)...\(range.upperBound)") { range.contains($0) }
    }
}

/// A type a setting can have: read from the environment or the file by key, nil when neither has it.
protocol SettingValue: ExpressibleByArgument, Sendable {
    static func read(_ key: String, from sources: ConfigurationSources) throws -> Self?
}

extension Int: SettingValue {
    static func read(_ key: String, from sources: ConfigurationSources) throws -> Int? {
        try sources.optionalInt(key)
    }
}

extension String: SettingValue {
    static func read(_ key: String, from sources: ConfigurationSources) throws -> String? {
        try sources.optionalString(key)
    }
}

extension Double: SettingValue {
    static func read(_ key: String, from sources: ConfigurationSources) throws -> Double? {
        try sources.optionalDouble(key)
    }
}

extension Bool: SettingValue {
    static func read(_ key: String, from sources: ConfigurationSources) throws -> Bool? {
        try sources.optionalBool(key)
    }
}

/// An enumeration setting reads its raw value: `--log-format json`, `STREAMREC_LOG_FORMAT=json`.
extension SettingValue where Self: RawRepresentable<String> & CaseIterable {
    static func read(_ key: String, from sources: ConfigurationSources) throws -> Self? {
        guard let text = try sources.optionalString(key) else { return nil }
        guard let value = Self(rawValue: text) else {
            let known = allCases.map(\.rawValue).joined(separator: " or ")
            throw ValidationError("\(sources.origin(of: key)) must be \(known), got '\(text)'")
        }
        return value
    }
}

extension ConfigurationSources {
    /// The first of flag, environment, file and default that has the setting, checked against its bound.
    func value<Value>(of setting: Setting<Value>, flag: Value?) throws -> Value {
        guard let value = try optionalValue(of: setting, flag: flag) ?? setting.defaultValue else {
            preconditionFailure("setting \(setting.key) has no default: read it with optionalValue")
        }
        return value
    }

    /// The value of a setting the library defaults: nil when nothing sets it.
    func optionalValue<Value>(of setting: Setting<Value>, flag: Value?) throws -> Value? {
        if let flag { return try setting.checked(flag, from: "--\(setting.key)") }
        guard let value = try Value.read(setting.key, from: self) else { return nil }
        return try setting.checked(value, from: origin(of: setting.key))
    }
}

extension Option {
    /// The flag of `setting`: `@Option(Self.topN) var topN: Int?`, nil when not given (the other sources come next).
    init<Wrapped: SettingValue>(_ setting: Setting<Wrapped>) where Value == Wrapped? {
        self.init(name: setting.name, help: setting.help)
    }
}
