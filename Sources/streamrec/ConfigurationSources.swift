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

    func int(_ key: String, flag: Int?, default fallback: Int) throws -> Int {
        try optionalInt(key, flag: flag) ?? fallback
    }

    /// An integer setting whose default depends on other settings: nil when nothing sets it.
    func optionalInt(_ key: String, flag: Int?) throws -> Int? {
        if let flag { return flag }
        if let value = reader.int(forKey: ConfigKey(key)) { return value }
        if let text = reader.string(forKey: ConfigKey(key)) {
            throw ValidationError("\(origin(of: key)): expected an integer, got '\(text)'")
        }
        return nil
    }

    func double(_ key: String, flag: Double?, default fallback: Double) throws -> Double {
        if let flag { return flag }
        guard let text = try optionalString(key, flag: nil) else { return fallback }
        guard let value = Double(text) else {
            throw ValidationError("\(origin(of: key)): expected a number, got '\(text)'")
        }
        return value
    }

    func string(_ key: String, flag: String?, default fallback: String) throws -> String {
        try optionalString(key, flag: flag) ?? fallback
    }

    /// A setting without a default: nil when neither the flag, the environment nor the file sets it.
    func optionalString(_ key: String, flag: String?) throws -> String? {
        if let flag { return flag }
        if let value = reader.string(forKey: ConfigKey(key)) { return value }
        if let number = reader.int(forKey: ConfigKey(key)) { return String(number) }
        return nil
    }

    /// librdkafka properties: the file's, overridden by the environment's, overridden by `--config` flags.
    func kafkaProperties(flags: [String: String]) -> [String: String] {
        fileKafka.merging(environmentKafka) { $1 }.merging(flags) { $1 }
    }

    /// Where a key's value was found, for error messages that say what to fix.
    private func origin(of key: String) -> String {
        let variable = Self.environmentPrefix + key.uppercased().replacingOccurrences(of: "-", with: "_")
        return file.map { "\(variable) or \"\(key)\" in \($0)" } ?? variable
    }
}
