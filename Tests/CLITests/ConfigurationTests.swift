import ArgumentParser
import Foundation
import Kafka
import Recommender
import Testing
import Topology
import Worker

@testable import streamrec

@Suite struct ConfigurationTests {
    func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamrec-\(UUID().uuidString).json")
            .path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsWinOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverDefaults() async throws {
        let path = try file(#"{"top-n": 7, "lanes": 3, "history-size": 9, "brokers": "file:9092"}"#)
        let sources = try await ConfigurationSources.load(
            file: path, environment: ["STREAMREC_TOP_N": "12", "STREAMREC_LANES": "5", "OTHER_TOP_N": "99"])
        #expect(try sources.value(of: PipelineOptions.topN, flag: 20) == 20)  // flag
        #expect(try sources.value(of: PipelineOptions.topN, flag: nil) == 12)  // environment
        #expect(try sources.value(of: PipelineOptions.historySize, flag: nil) == 9)  // file
        #expect(try sources.value(of: PipelineOptions.maxItems, flag: nil) == 200_000)  // default
        #expect(try sources.value(of: KafkaOptions.brokers, flag: nil) == "file:9092")
    }

    @Test func pipelineFlagsResolveThroughTheSources() async throws {
        let sources = ConfigurationSources(environment: ["STREAMREC_GROUP_ID": "from-env", "STREAMREC_TOP_N": "4"])
        let options = try PipelineOptions.parse(["--top-n", "6"]).workerOptions(
            kafka: KafkaConfiguration(bootstrapServers: ""), recommender: RecommenderOptions.parse([]), sources: sources
        )
        #expect(options.pipeline.ranking.topN == 6)
        #expect(options.kafka.groupID == "from-env")
        // The default (PipelineSettings.historySize): neither a flag nor a source sets it.
        #expect(options.pipeline.user.historySize == 200)
    }

    @Test func aBadValueNamesTheVariableOrFileKeyToFix() async throws {
        let sources = ConfigurationSources(environment: ["STREAMREC_TOP_N": "ten"])
        #expect {
            _ = try sources.value(of: PipelineOptions.topN, flag: nil)
        } throws: { error in
            "\(error)".contains("STREAMREC_TOP_N") && "\(error)".contains("'ten'")
        }
        let path = try file(#"{"lanes": "two"}"#)
        let fromFile = try await ConfigurationSources.load(file: path, environment: [:])
        #expect {
            _ = try fromFile.value(of: PipelineOptions.lanes, flag: nil)
        } throws: { error in
            "\(error)".contains("\"lanes\" in \(path)")
        }
        await #expect(throws: ValidationError.self) {
            _ = try await ConfigurationSources.load(file: "/no/such/file.json", environment: [:])
        }
        let broken = try file("{not json")
        await #expect(throws: ValidationError.self) {
            _ = try await ConfigurationSources.load(file: broken, environment: [:])
        }
    }

    @Test func kafkaPropertiesPassThroughFromEveryLayerAndSecretsAreRedacted() async throws {
        let path = try file(
            #"{"kafka": {"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "linger.ms": 20}}"#)
        let sources = try await ConfigurationSources.load(
            file: path,
            environment: [
                "STREAMREC_KAFKA_SASL_PASSWORD": "hunter2", "STREAMREC_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            ])
        let kafka = try KafkaOptions.parse(["--brokers", "b:9092", "--config", "linger.ms=5"]).configuration(sources)
        #expect(kafka.bootstrapServers == "b:9092")
        #expect(kafka.properties["security.protocol"] == "SASL_SSL")  // file
        #expect(kafka.properties["sasl.mechanism"] == "SCRAM-SHA-512")  // environment over file
        #expect(kafka.properties["sasl.password"] == "hunter2")
        #expect(kafka.properties["linger.ms"] == "5")  // flag over file
        #expect(!kafka.description.contains("hunter2"))
        // A malformed flag is reported without the text after '=', which may be a secret.
        #expect {
            try KafkaOptions.parse(["--config", "=hunter2"]).configuration(sources)
        } throws: { error in
            !"\(error)".contains("hunter2") && "\(error)".contains("without a key")
        }
    }

    @Test func typedSettingsReadAlikeFromEveryLayerAndABoundNamesItsFlag() async throws {
        let path = try file(
            #"{"trainer": false, "filter-seen": "false", "guarantee": "at-least-once", "cf-seed-decay": 0.7}"#)
        let sources = try await ConfigurationSources.load(
            file: path,
            environment: ["STREAMREC_FILTER_PURCHASED": "false", "STREAMREC_LOG_FORMAT": "json"])
        let (kafka, recommender) = (KafkaConfiguration(bootstrapServers: ""), try RecommenderOptions.parse([]))
        var settings = PipelineSettings()
        try recommender.apply(sources, to: &settings)
        #expect(!settings.trainer.enabled && !settings.ranking.filterSeen && !settings.ranking.filterPurchased)
        #expect(settings.trainer.autoActivate)  // the default
        #expect(settings.ranking.cfSeedDecay == 0.7)
        #expect(
            try PipelineOptions.parse([]).workerOptions(kafka: kafka, recommender: recommender, sources: sources)
                .guarantee == .atLeastOnce)
        #expect(try sources.value(of: Run.logFormat, flag: nil) == .json)
        #expect(try sources.value(of: Run.logFormat, flag: .text) == .text)
        #expect {
            try PipelineOptions.parse(["--max-users-per-partition", "0"]).workerOptions(
                kafka: kafka, recommender: recommender, sources: sources)
        } throws: { error in
            "\(error)".contains("--max-users-per-partition must be positive")
        }
        #expect {
            try HTTPOptions.parse(["--http-port", "70000"]).resolve(sources)
        } throws: { error in
            "\(error)".contains("--http-port must be 0...65535")
        }
        #expect(throws: (any Error).self) { try PipelineOptions.parse(["--guarantee", "twice"]) }
        #expect {
            try ConfigurationSources(environment: ["STREAMREC_TOP_N": "0"]).value(of: PipelineOptions.topN, flag: nil)
        } throws: { error in
            "\(error)".contains("STREAMREC_TOP_N must be positive, got 0")
        }
        let badBoolean = ConfigurationSources(environment: ["STREAMREC_TRAINER": "yes please"])
        #expect {
            try RecommenderOptions.parse([]).apply(badBoolean, to: &settings)
        } throws: { error in
            "\(error)".contains("STREAMREC_TRAINER must be true or false")
        }
    }
}
