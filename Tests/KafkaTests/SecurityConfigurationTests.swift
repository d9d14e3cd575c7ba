import Foundation
import Logging
import StreamEngine
import Testing

@testable import Kafka

/// Issue 9, part 6: SASL/SSL settings pass through to librdkafka, and their secrets appear in no log line, error or
/// description.
@Suite("Security settings")
struct SecurityConfigurationTests {
    static let secrets = ["pw-7f3a9c1e", "key-pw-52b8d0", "keystore-pw-9a41", "oidc-secret-c0ffee"]

    static func configuration(_ extra: [String: String] = [:]) -> KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: "127.0.0.1:1",
            properties: [
                "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "streamrec",
                "sasl.password": secrets[0], "ssl.key.password": secrets[1], "ssl.keystore.password": secrets[2],
                "sasl.oauthbearer.config": "principal=streamrec secret=\(secrets[3])",
                "ssl.endpoint.identification.algorithm": "none",
            ].merging(extra) { $1 })
    }

    static func leaks(_ text: String) -> [String] { secrets.filter { text.contains($0) } }

    @Test func saslAndSSLSettingsReachLibrdkafka() throws {
        let producer = try KafkaProducer(configuration: Self.configuration())
        #expect(producer.configurationValue("security.protocol")?.lowercased() == "sasl_ssl")
        #expect(producer.configurationValue("sasl.mechanisms") == "SCRAM-SHA-512")
        #expect(producer.configurationValue("sasl.username") == "streamrec")
        #expect(producer.configurationValue("sasl.password") == Self.secrets[0])
        #expect(producer.configurationValue("ssl.key.password") == Self.secrets[1])
        #expect(producer.configurationValue("ssl.keystore.password") == Self.secrets[2])
        #expect(producer.configurationValue("sasl.oauthbearer.config")?.contains(Self.secrets[3]) == true)
    }

    @Test func anSSLSettingLibrdkafkaRejectsFailsTheClientWithoutShowingSecrets() {
        // librdkafka loads the CA file when the client is created: the error proves the SSL settings arrived.
        let configuration = Self.configuration(["ssl.ca.location": "/nonexistent/ca.pem"])
        #expect {
            _ = try KafkaProducer(configuration: configuration)
        } throws: { error in
            let text = "\(error)"
            return text.contains("ssl.ca.location") && Self.leaks(text).isEmpty
        }
        let invalid = KafkaConfiguration(
            bootstrapServers: "127.0.0.1:1", properties: ["no.such.password": Self.secrets[0]])
        #expect {
            try invalid.validate()
        } throws: { error in
            "\(error)".contains("no.such.password=[redacted]") && Self.leaks("\(error)").isEmpty
        }
    }

    @Test func descriptionsAndReflectionRedactSecrets() {
        // OIDC is not in Debian's librdkafka build, so this one is only described, never given to a client.
        let configuration = Self.configuration(["sasl.oauthbearer.client.secret": "oidc-\(Self.secrets[3])"])
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(Self.leaks(text).isEmpty, "\(text)")
            #expect(text.contains("sasl.username=streamrec"))
        }
    }

    /// librdkafka's own debug logging of the security, broker and configuration code, while it tries to connect.
    @Test func librdkafkasLogsDoNotContainSecrets() throws {
        let lines = Locked<[String]>([])
        var logger = Logger(label: "security-test") { _ in CapturingHandler(lines: lines) }
        logger.logLevel = .trace
        let producer = try KafkaProducer(
            configuration: Self.configuration(["debug": "security,broker,conf,generic"]), logger: logger)
        for _ in 0..<10 { producer.poll(timeoutMilliseconds: 100) }
        let logged = lines.value
        #expect(!logged.isEmpty)
        #expect(Self.leaks(logged.joined(separator: "\n")).isEmpty)
    }
}

/// Keeps every log line, with its metadata.
private struct CapturingHandler: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
    }
}
