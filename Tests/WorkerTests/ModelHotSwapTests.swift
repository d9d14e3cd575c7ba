import Evaluation
import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Worker

@Suite("Model versions on a running worker", .serialized)
struct ModelHotSwapTests {
    /// A version published (as `streamrec model publish --activate` does) while a worker processes a stream is
    /// picked up between records: later feeds carry it, the worker never stopped or rewound, and a rollback written
    /// the same way brings the previous version back.
    @Test func aPublishedVersionIsSwappedInWithoutStoppingTheWorkerAndRolledBack() throws {
        var deployment = try TestDeployment(group: "hot-swap")
        deployment.options.pipeline.trainer.enabled = false  // only the operator's versions
        let admin = ModelAdmin(
            configuration: KafkaConfiguration(bootstrapServers: deployment.cluster.bootstrapServers),
            topic: deployment.options.topics.outputs.models)
        func version(_ name: String) -> [UInt8] {
            ModelFile.encode(
                ModelVersion(
                    version: name, model: RankingFeatures.initialModel(TrainerSettings()), createdAt: 0,
                    trainedExamples: 0, logLoss: nil, auc: nil))
        }
        var generator = SyntheticEventGenerator(
            seed: 5, users: 200, items: 300, categories: 10, startTime: 1_700_000_000_000, eventsPerSecond: 50)
        let batches = (0..<3).map { _ in (0..<1_000).map { _ in generator.next() } }
        var consumedAtSwap = 0
        let statistics = try deployment.runWorker(
            untilConsumed: 3_000,
            whileRunning: { worker in
                try deployment.publish(batches[0])
                try waitUntil { worker.statistics.recordsConsumed >= 1_000 }
                try admin.write(try ModelEdits.publish(file: version("v1"), activate: true, state: try admin.read()))
                try waitUntil { worker.registry.selection.active?.version == "v1" }
                consumedAtSwap = worker.statistics.recordsConsumed
                try deployment.publish(batches[1])
                try waitUntil { worker.statistics.recordsConsumed >= 2_000 }
                try admin.write(try ModelEdits.publish(file: version("v2"), activate: true, state: try admin.read()))
                try waitUntil { worker.registry.selection.active?.version == "v2" }
                try admin.write(try ModelEdits.rollback(state: try admin.read()))
                try waitUntil { worker.registry.selection.active?.version == "v1" }
                try deployment.publish(batches[2])
            })
        #expect(statistics.recordsConsumed == 3_000)
        #expect(statistics.checkpointsAborted == 0 && statistics.tasksRestored == 0)
        #expect(consumedAtSwap >= 1_000)
        let feeds = try deployment.readAll("recommendations").filter { isEventFeed($0) }.compactMap {
            message -> (time: Int64, model: String)? in
            let body = try? json(message)
            guard let time = (body?["generatedAt"] as? NSNumber)?.int64Value, let model = body?["model"] as? String
            else { return nil }
            return (time, model)
        }
        #expect(feeds.count == 3_000)
        // Blend first; v1 once published; the last batch (after the rollback) is v1 again, never v2 (events of a
        // batch can be a couple of seconds out of order, hence the margin).
        let lastBatch = (batches[2].map(\.timestamp).min() ?? 0) + 5_000
        #expect(
            feeds.filter { $0.time < (batches[0].map(\.timestamp).min() ?? 0) + 5_000 }.allSatisfy {
                $0.model == "blend"
            })
        #expect(feeds.contains { $0.model == "v1" })
        #expect(feeds.filter { $0.time >= lastBatch }.allSatisfy { $0.model == "v1" })
        #expect(feeds.filter { $0.time >= lastBatch }.count > 500)
        #expect(statistics.pipeline.byModel["v1"]?.lists ?? 0 >= 1_000)
    }

    func waitUntil(_ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(60)
        while !condition() {
            guard Date() < deadline else { throw ModelAdminError("timed out waiting for the worker") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
