import Foundation
import Kafka
import Operations
import Prometheus
import Recommender
import StreamEngine
import Testing
import Topology
import Worker

/// A model file of a small FM; `weight` makes versions differ.
func modelFile(_ name: String, weight: Float = 0.5, trained: Int = 1_200) -> [UInt8] {
    var model = RankingModel(kind: .fm, hashBits: 8, factorCount: 2, fieldCount: 3)
    model.setLinearWeight(weight, at: 7)
    return ModelFile.encode(
        ModelVersion(
            version: name, model: model, createdAt: 1_732_406_400_000, trainedExamples: trained, logLoss: 0.41,
            auc: 0.73))
}

func temporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).json").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// An embedded cluster with the models topic, one partition as `TopicLayout` makes it.
final class ModelsCluster {
    let cluster: EmbeddedCluster
    let topic = "recsys-models"

    init() throws {
        cluster = try EmbeddedCluster()
        try cluster.createTopic(.compacted(topic, partitions: 1))
    }

    var brokers: String { cluster.bootstrapServers }

    /// `streamrec model <arguments> --brokers ...`
    func model(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try runStreamrec(["model"] + arguments + ["--brokers", brokers])
    }

    /// Runs a command that must succeed.
    @discardableResult
    func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try model(arguments)
        #expect(result.status == 0, "model \(arguments): \(result.err)", sourceLocation: sourceLocation)
        return result.out
    }

    func publish(_ name: String, weight: Float = 0.5, _ flags: [String] = []) throws {
        try succeed(["publish", "--file", try temporaryFile(modelFile(name, weight: weight))] + flags)
    }

    /// `model list --json`, parsed.
    func listed() throws -> [String: Any] {
        let out = try succeed(["list", "--json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
    }

    func control() throws -> [String: Any] {
        try #require(try listed()["control"] as? [String: Any])
    }

    /// Every record of the topic, read as a worker reads it.
    func records() throws -> [StreamRecord] {
        var configuration = KafkaConfiguration(bootstrapServers: brokers)
        configuration.groupID = "model-command-tests"
        let reader = try KafkaPartitionReader(configuration: configuration)
        var records: [StreamRecord] = []
        try reader.readAll([TopicPartition(topic: topic, partition: 0)]) { records.append($0) }
        return records
    }

    /// A registry fed the topic's records, as every worker's is.
    func registry() throws -> ModelRegistry {
        let registry = ModelRegistry()
        for record in try records() {
            let result = registry.apply(key: record.key, value: record.value)
            if case .failure(let error) = result { Issue.record("the registry rejected a record: \(error)") }
        }
        return registry
    }
}

@Suite("streamrec model", .serialized)
struct ModelCommandTests {
    @Test func aPublishedVersionIsListed() throws {
        let kafka = try ModelsCluster()
        let empty = try kafka.succeed(["list"])
        #expect(empty.contains("0 version(s)"))
        try kafka.publish("fm-test-000001")
        let text = try kafka.succeed(["list"])
        #expect(text.contains("fm-test-000001"))
        #expect(text.contains("active:  none"))
        let listed = try kafka.listed()
        let versions = try #require(listed["versions"] as? [[String: Any]])
        #expect(versions.count == 1)
        let version = try #require(versions.first)
        #expect(version["name"] as? String == "fm-test-000001")
        #expect(version["kind"] as? String == "fm")
        #expect(version["hashBits"] as? Int == 8)
        #expect(version["factors"] as? Int == 2)
        #expect(version["trainedExamples"] as? Int == 1_200)
        #expect(version["logLoss"] as? Double == 0.41)
        #expect(version["auc"] as? Double == 0.73)
        #expect(version["createdAt"] as? Int == 1_732_406_400_000)
        #expect(version["error"] is NSNull)
        let control = try #require(listed["control"] as? [String: Any])
        #expect(control["active"] is NSNull)
        // Publishing the same file again is harmless; another file under the same name is refused.
        try kafka.publish("fm-test-000001")
        let clash = try kafka.model([
            "publish", "--file", try temporaryFile(modelFile("fm-test-000001", weight: 0.9)),
        ])
        #expect(clash.status != 0)
        #expect(clash.err.contains("already holds a different version 'fm-test-000001'"))
    }

    @Test func activateThenRollbackGoesBackToThePreviousVersion() throws {
        let kafka = try ModelsCluster()
        try kafka.publish("v1", weight: 0.1, ["--activate"])
        try kafka.publish("v2", weight: 0.2)
        #expect(try kafka.control()["active"] as? String == "v1")
        try kafka.succeed(["activate", "v2"])
        var control = try kafka.control()
        #expect(control["active"] as? String == "v2")
        #expect(control["history"] as? [String] == ["v2", "v1"])
        #expect(control["pinned"] as? Bool == true)
        #expect(try kafka.registry().selection.active?.version == "v2")

        let rolledBack = try kafka.succeed(["rollback"])
        #expect(rolledBack.contains("active: v1"))
        control = try kafka.control()
        #expect(control["active"] as? String == "v1")
        #expect(control["history"] as? [String] == ["v1"])  // v2 left the history
        #expect(control["pinned"] as? Bool == true)
        let registry = try kafka.registry()
        #expect(registry.selection.active?.version == "v1")
        #expect(registry.selection.pinned)

        let nothingLeft = try kafka.model(["rollback"])
        #expect(nothingLeft.status != 0)
        #expect(nothingLeft.err.contains("nothing to roll back to"))
        let unknown = try kafka.model(["activate", "v9"])
        #expect(unknown.status != 0)
        #expect(unknown.err.contains("holds no version 'v9'; versions: v1, v2"))

        try kafka.succeed(["unpin"])
        #expect(try kafka.control()["pinned"] as? Bool == false)
        #expect(try kafka.registry().selection.pinned == false)
    }

    @Test func aCanaryRanksItsShareAndIsValidated() throws {
        let kafka = try ModelsCluster()
        try kafka.publish("v1", weight: 0.1, ["--activate"])
        try kafka.publish("v2", weight: 0.2)
        let tooBig = try kafka.model(["canary", "v2", "--share", "1.5"])
        #expect(tooBig.status != 0)
        #expect(tooBig.err.contains("--share must be in 0...1"), "\(tooBig.err)")
        #expect(tooBig.err.contains("got 1.5"))
        let noShare = try kafka.model(["canary", "v2"])
        #expect(noShare.status != 0)
        #expect(noShare.err.contains("--share"))
        let active = try kafka.model(["canary", "v1", "--share", "0.1"])
        #expect(active.status != 0)
        #expect(active.err.contains("'v1' is the active version"))

        try kafka.succeed(["canary", "v2", "--share", "0.25"])
        let control = try kafka.control()
        #expect(control["canary"] as? String == "v2")
        #expect(control["canaryShare"] as? Double == 0.25)
        #expect(control["active"] as? String == "v1")
        let registry = try kafka.registry()
        let selection = registry.selection
        #expect(selection.active?.version == "v1")
        #expect(selection.canary?.version == "v2")
        #expect(selection.canaryShare == 0.25)
        // Roughly a quarter of users see the canary, the rest the active version.
        let canaryUsers = (0..<2_000).filter { selection.version(for: "user-\($0)")?.version == "v2" }.count
        #expect((300...700).contains(canaryUsers))
        #expect(try kafka.succeed(["list"]).contains("canary:  v2 for 25% of users"))

        try kafka.succeed(["canary", "--off"])
        #expect(try kafka.control()["canary"] is NSNull)
        #expect(try kafka.registry().selection.canary == nil)

        // publish --canary-share makes the new version the canary straight away.
        try kafka.publish("v3", weight: 0.3, ["--canary-share", "0.5"])
        let afterPublish = try kafka.registry().selection
        #expect(afterPublish.canary?.version == "v3")
        #expect(afterPublish.canaryShare == 0.5)
        #expect(afterPublish.active?.version == "v1")
    }

    @Test func aMalformedFileIsRefusedAndNothingIsWritten() throws {
        let kafka = try ModelsCluster()
        let valid = String(decoding: modelFile("fm-bad"), as: UTF8.self)
        let malformed = Array(valid.replacingOccurrences(of: "\"hashBits\":8", with: "\"hashBits\":30").utf8)
        let expected: ModelFileError
        do throws(ModelFileError) {
            _ = try ModelFile.decode(malformed)
            Issue.record("the malformed file decoded")
            return
        } catch {
            expected = error
        }
        let path = try temporaryFile(malformed)
        let result = try kafka.model(["publish", "--file", path, "--activate"])
        #expect(result.status != 0)
        #expect(result.err.contains(expected.description), "\(result.err)")
        let notJSON = try kafka.model(["publish", "--file", try temporaryFile(Array("{oops".utf8))])
        #expect(notJSON.status != 0)
        #expect(notJSON.err.contains("model file: "))
        let both = try kafka.model([
            "publish", "--file", try temporaryFile(modelFile("fm-ok")), "--activate", "--canary-share", "0.1",
        ])
        #expect(both.status != 0)
        #expect(both.err.contains("choose one of --activate and --canary-share"))
        #expect(try kafka.records().isEmpty)
    }

    @Test func listShowsARecordThatFailsToDecodeWithItsError() throws {
        let kafka = try ModelsCluster()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: kafka.brokers))
        try producer.send(OutputRecord(topic: kafka.topic, key: Array("broken".utf8), value: Array("{}".utf8)))
        try producer.flush()
        try kafka.publish("v1")
        let listed = try kafka.listed()
        let versions = try #require(listed["versions"] as? [[String: Any]])
        #expect(versions.map { $0["name"] as? String } == ["broken", "v1"])
        let error = try #require(versions.first?["error"] as? String)
        #expect(error.hasPrefix("model file: "))
        #expect(try kafka.succeed(["list"]).contains("broken: model file: "))
        let refused = try kafka.model(["activate", "broken"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("version 'broken' in recsys-models is not usable"))
    }
}

/// The edits without a broker: what they write, checked against a registry as every worker runs it.
@Suite struct ModelEditTests {
    func state(_ records: [(String, [UInt8])]) -> ModelTopicState {
        var state = ModelTopicState(topic: "recsys-models")
        for (offset, record) in records.enumerated() {
            state.apply(key: Array(record.0.utf8), value: record.1, offset: Int64(offset))
        }
        return state
    }

    /// A registry fed `before` and then the change, as a running worker sees them.
    func registry(after change: ModelChange, on before: [(String, [UInt8])]) -> ModelRegistry {
        let registry = ModelRegistry()
        for record in before + change.records.map({ ($0.key, $0.value) }) {
            let result = registry.apply(key: Array(record.0.utf8), value: record.1)
            if case .failure(let error) = result { Issue.record("rejected: \(error)") }
        }
        return registry
    }

    @Test func activatingAVersionTheRegistriesEvictedWritesItAgainFirst() throws {
        // Eight versions, none activated: a worker keeps only the newest `maxSpareVersions`.
        let names = (1...8).map { "v\($0)" }
        let records = names.enumerated().map { ($0.element, modelFile($0.element, weight: Float($0.offset))) }
        let before = state(records)
        #expect(before.registry.version(named: "v1") == nil)
        let change = try ModelEdits.activate("v1", state: before)
        #expect(change.records.map(\.key) == ["v1", ModelControl.key])
        #expect(registry(after: change, on: records).selection.active?.version == "v1")
        // A version the registries hold is not written again.
        let recent = try ModelEdits.activate("v8", state: before)
        #expect(recent.records.map(\.key) == [ModelControl.key])
    }

    @Test func rollbackDropsTheVersionRolledBackFrom() throws {
        var control = ModelControl()
        for name in ["v1", "v2", "v3"] { control.activate(name, pinned: false) }
        let records = ["v1", "v2", "v3"].map { ($0, modelFile($0)) } + [(ModelControl.key, control.encodeJSON())]
        let first = try ModelEdits.rollback(state: state(records))
        #expect(first.control?.active == "v2")
        #expect(first.control?.history == ["v2", "v1"])
        #expect(first.control?.pinned == true)
        let afterFirst = records + first.records.map { ($0.key, $0.value) }
        let second = try ModelEdits.rollback(state: state(afterFirst))
        #expect(second.control?.active == "v1")
        #expect(registry(after: second, on: afterFirst).selection.active?.version == "v1")
        #expect(throws: ModelAdminError.self) {
            try ModelEdits.rollback(state: state(afterFirst + second.records.map { ($0.key, $0.value) }))
        }
    }

    @Test func sharesOutsideZeroToOneAreRefused() throws {
        let records = [("v1", modelFile("v1"))]
        for share in [1.5, -0.1, Double.nan] {
            #expect {
                try ModelEdits.canary("v1", share: share, state: state(records))
            } throws: { error in
                "\(error)".contains("must be in 0...1")
            }
        }
        let change = try ModelEdits.canary("v1", share: 1, state: state(records))
        #expect(change.control?.canaryShare == 1)
    }
}

@Suite struct ModelMetricsTests {
    @Test func perVersionCountersFollowTheCumulativeStatistics() {
        let registry = PrometheusCollectorRegistry()
        let statistics = Locked(WorkerStatistics())
        let metrics = WorkerMetrics(topics: TopicLayout(), factory: PrometheusMetricsFactory(registry: registry)) {
            statistics.value
        }
        func lines() -> [String] {
            metrics.refresh()
            return registry.emitToString().split(separator: "\n").map(String.init)
        }
        statistics.withLock {
            $0.pipeline.byModel = ["blend": ModelCounters(lists: 5, hits: 1), "fm-000001": ModelCounters(lists: 3)]
            $0.pipeline.similarListsEmitted = 4
            $0.pipeline.trainingExamples = 7
            $0.pipeline.examplesTrained = 6
            $0.pipeline.modelsPublished = 1
        }
        var shown = lines()
        #expect(shown.contains(#"streamrec_model_lists_total{version="blend"} 5"#))
        #expect(shown.contains(#"streamrec_model_hits_total{version="blend"} 1"#))
        #expect(shown.contains(#"streamrec_model_lists_total{version="fm-000001"} 3"#))
        #expect(shown.contains("streamrec_similar_lists_total 4"))
        #expect(shown.contains("streamrec_training_examples_total 7"))
        #expect(shown.contains("streamrec_examples_trained_total 6"))
        #expect(shown.contains("streamrec_models_published_total 1"))
        #expect(shown.contains(#"streamrec_active_model{version="blend"} 1.0"#))

        statistics.withLock {
            $0.pipeline.byModel["fm-000001"] = ModelCounters(lists: 10, hits: 2)
            $0.activeModel = "fm-000001"
        }
        shown = lines()
        #expect(shown.contains(#"streamrec_model_lists_total{version="fm-000001"} 10"#))
        #expect(shown.contains(#"streamrec_model_hits_total{version="fm-000001"} 2"#))
        #expect(shown.contains(#"streamrec_active_model{version="fm-000001"} 1.0"#))
        #expect(shown.contains(#"streamrec_active_model{version="blend"} 0.0"#))

        // Labels stay bounded however many versions appear.
        statistics.withLock { statistics in
            for index in 0..<100 { statistics.pipeline.byModel["v\(index)"] = ModelCounters(lists: 1) }
        }
        shown = lines()
        let labels = Set(shown.filter { $0.hasPrefix("streamrec_model_lists_total{") })
        #expect(labels.count == WorkerMetrics.maxModelLabels + 1)
        let other = shown.first { $0.hasPrefix(#"streamrec_model_lists_total{version="other"}"#) }
        #expect(other != nil)
    }
}
