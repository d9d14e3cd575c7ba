import ArgumentParser
import Kafka

/// Connection flags shared by every command that talks to a cluster.
struct KafkaOptions: ParsableArguments {
    static let brokers = Setting<String>(
        "brokers", default: "localhost:9092", help: "Kafka bootstrap servers, host:port[,host:port...].")

    @Option(Self.brokers) var brokers: String?

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A librdkafka property passed through untouched, KEY=VALUE (repeatable), e.g. security.protocol=SASL_SSL.",
            valueName: "key=value"))
    var properties: [String] = []

    /// The connection settings, flags first, then the environment (and config file) of `sources`.
    func configuration(_ sources: ConfigurationSources = ConfigurationSources()) throws -> KafkaConfiguration {
        var flags: [String: String] = [:]
        for property in properties {
            guard let separator = property.firstIndex(of: "="), separator != property.startIndex else {
                // Never the text after '=': it may be a secret.
                let found = property.contains("=") ? "a value without a key" : "'\(property)'"
                throw ValidationError("--config expects KEY=VALUE (a librdkafka property), got \(found)")
            }
            flags[String(property[..<separator])] = String(property[property.index(after: separator)...])
        }
        return KafkaConfiguration(
            bootstrapServers: try sources.value(of: Self.brokers, flag: brokers),
            properties: sources.kafkaProperties(flags: flags))
    }
}
