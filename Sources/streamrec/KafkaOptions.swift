import ArgumentParser
import Kafka

/// Connection flags shared by every command that talks to a cluster.
struct KafkaOptions: ParsableArguments {
    @Option(name: .long, help: "Kafka bootstrap servers, host:port[,host:port...].")
    var brokers = "localhost:9092"

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A librdkafka property passed through untouched, KEY=VALUE (repeatable), e.g. security.protocol=SASL_SSL.",
            valueName: "key=value"))
    var properties: [String] = []

    func configuration() throws -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: brokers)
        for property in properties {
            guard let separator = property.firstIndex(of: "="), separator != property.startIndex else {
                throw ValidationError("--config expects KEY=VALUE (a librdkafka property), got '\(property)'")
            }
            configuration.properties[String(property[..<separator])] = String(
                property[property.index(after: separator)...])
        }
        return configuration
    }
}
