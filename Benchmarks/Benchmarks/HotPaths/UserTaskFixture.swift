import Evaluation
import Recommender
import StreamEngine
import Topology

/// One user task with a warm user, an item table, and an (untrained) FM version active, so a feed takes every step a
/// live one takes. The table is the shop catalogue filled by 30 000 events through the whole local topology, or the
/// scale catalogue (`ScaleTable`: 50 000 items), whose user has a full history of 200 items. Each call feeds the
/// user one more view, 100 ms of event time after the last; with `feedDue` false the feed interval is so long that no
/// feed is due.
/// A class made once per benchmark, not per run: the set-up takes seconds. Unchecked: the framework runs one
/// benchmark at a time, on one thread.
final class UserTaskFixture: @unchecked Sendable {
    private var task: UserTask
    private let table: ItemTable
    private let registry: ModelRegistry
    private var output: [OutputRecord] = []
    private let items: [String]
    private var time: Int64
    private var offset: Int64 = 0

    init(sample: EventSample, feedDue: Bool, scale: Bool = false) {
        var settings = PipelineSettings()
        settings.checkpointing = true
        if !feedDue { settings.recommendationInterval = Int64.max / 4 }
        var last: Int64 = 0
        var warmUp: [BehaviorEvent] = []
        if scale {
            last = 7_200_000
            table = ScaleTable.make(at: last)
            warmUp = ScaleTable.history(count: settings.user.historySize, endingAt: last)
            items = (0..<1_000).map { "i\($0 * 37 % ScaleTable.items)" }
        } else {
            var runner = LocalRunner(settings: settings)
            var generator = SyntheticEventGenerator(seed: 9, users: 2_000, items: 5_000, categories: 50)
            var sequencer = InputSequencer(partitions: 4)
            for _ in 0..<30_000 {
                let event = generator.next()
                last = max(last, event.timestamp)
                runner.process(sequencer.record(for: event)) { _ in }
            }
            table = runner.table
            items = sample.events.map(\.itemId)
        }
        registry = ModelRegistry()
        registry.add(
            ModelVersion(
                version: "fm-bench", model: RankingFeatures.initialModel(settings.trainer), createdAt: 0,
                trainedExamples: 0))
        var control = ModelControl()
        control.activate("fm-bench", pinned: true)
        try! registry.apply(control: control)
        task = UserTask(partition: 0, settings: settings)
        time = last + 1_000
        for event in warmUp { process(event) }
        for _ in 0..<50 { _ = processNextEvent() }
    }

    /// Processes the next view of the user; returns how many outputs it made.
    func processNextEvent() -> Int {
        time += 100
        return process(
            BehaviorEvent(
                userId: "u-bench", itemId: items[Int(offset) % items.count], behavior: .view, timestamp: time))
    }

    @discardableResult
    private func process(_ event: BehaviorEvent) -> Int {
        let record = StreamRecord(
            topic: "user-behavior", partition: 0, offset: offset, key: Array(event.userId.utf8),
            value: EventCodec.encodeJSON(event))
        offset += 1
        output.removeAll(keepingCapacity: true)
        task.process(record, table: table, registry: registry, output: &output)
        return output.count
    }
}
