import Foundation
import Hummingbird
import Operations
import Prometheus
import Recommender
import Serving
import StreamEngine
import Topology
import Worker

/// A worker's HTTP state without Kafka, filled as a running worker fills it: events go through the real pipeline
/// (`LocalRunner`), each record's outputs go to the serving view as a lane hands them over, the item table and the
/// model registry are the pipeline's own, and the instance directory holds what the instances topic announced.
///
/// Of the 4 input partitions, this instance serves 0 and 1, restores 2, and another instance announced 3.
final class ServedWorker: Sendable {
    static let inputPartitions: Int32 = 4
    static let servedPartitions: [Int32] = [0, 1]
    static let restoringPartition: Int32 = 2
    static let elsewherePartition: Int32 = 3
    static let ownAddress = "10.0.0.1:8080"
    static let otherInstance = "10.0.0.2:8080"
    static let modelName = "fm-routes-0001"

    let settings: PipelineSettings
    let serving: ServingView
    let directory = InstanceDirectory()
    let statistics = Locked(WorkerStatistics())
    private let runner: Locked<LocalRunner>
    private let offsets = Locked<[Int32: Int64]>([:])

    /// The user whose lists the tests read (partition 0), one more of the same partition whose event closes the first
    /// window, a user of a served partition without events, and users of the restoring and the announced partition.
    let user: String
    let neighbour: String
    let stranger: String
    let restoringUser: String
    let elsewhereUser: String

    init(maxEventStreams: Int = 10) throws {
        var settings = PipelineSettings()
        // Every event updates the item table and the neighbours at once, so a short history fills them.
        settings.tableUpdateInterval = 0
        settings.cf.neighbourRefreshInterval = 0
        settings.shufflePartitions = Self.inputPartitions  // as a worker sets it: one per input partition
        self.settings = settings
        serving = ServingView(
            inputPartitions: Self.inputPartitions, topics: settings.topics, maxUsers: 1_000,
            maxSubscribers: maxEventStreams)
        runner = Locked(LocalRunner(settings: settings))
        let users = Self.users(in: serving)
        user = users[0][0]
        neighbour = users[0][1]
        stranger = users[1][0]
        restoringUser = users[Int(Self.restoringPartition)][0]
        elsewhereUser = users[Int(Self.elsewherePartition)][0]

        serving.ready(Self.servedPartitions)
        serving.restoring([Self.restoringPartition])
        announce(Self.otherInstance, partitions: [Self.elsewherePartition], at: 1)
        // This instance's own announcement, later and also claiming 3 (say, from before a rebalance): a redirect
        // never points an instance at itself.
        announce(Self.ownAddress, partitions: Self.servedPartitions + [Self.elsewherePartition], at: 2)
        statistics.withLock {
            $0.joined = true
            $0.assignedPartitions = Self.servedPartitions
        }

        // Users of partitions 0 and 1 view i1 to i4 (c1) and j2, and buy j1 (c2): i1 gets CF neighbours, and the
        // user's feed has more entries than the items the user saw.
        let crowd = users[0][2...] + users[1][1...]
        for (index, other) in crowd.enumerated() {
            let second = Int64(index)
            for (item, behavior, category) in [
                ("i1", Behavior.view, "c1"), ("i2", .view, "c1"), ("i3", .view, "c1"), ("i4", .click, "c1"),
                ("j1", .purchase, "c2"), ("j2", .view, "c2"),
            ] {
                feed(other, item, behavior, at: 1 + second, category: category)
            }
        }
        feed(user, "i1", .view, at: 20, category: "c1")
        feed(user, "i2", .cart, at: 30, category: "c1")
        // Past the user's 5-minute window and the 5 s of out-of-orderness: the window closes, with its features
        // and the user's topics and creators lists.
        feed(neighbour, "i1", .view, at: 400, category: "c1")

        try registry.apply(
            key: Array(Self.modelName.utf8),
            value: ModelFile.encode(
                ModelVersion(
                    version: Self.modelName, model: RankingFeatures.initialModel(TrainerSettings()),
                    createdAt: 1_000, trainedExamples: 42, logLoss: 0.5, auc: 0.75))
        ).get()
        var control = registry.control
        control.activate(Self.modelName, pinned: true)
        try registry.apply(key: Array(ModelControl.key.utf8), value: control.encodeJSON()).get()
    }

    var itemTable: ItemTable { runner.withLock { $0.table } }
    var registry: ModelRegistry { runner.withLock { $0.registry } }

    /// One event through the pipeline, on the user's input partition, its outputs recorded as a lane records them.
    func feed(_ userId: String, _ itemId: String, _ behavior: Behavior, at seconds: Int64, category: String) {
        let event = BehaviorEvent(
            userId: userId, itemId: itemId, behavior: behavior, timestamp: seconds * 1_000, categoryId: category)
        let partition = serving.partition(ofUser: userId)
        let offset = offsets.withLock { offsets in
            defer { offsets[partition, default: 0] += 1 }
            return offsets[partition, default: 0]
        }
        let record = StreamRecord(
            topic: "user-behavior", partition: partition, offset: offset, key: Array(userId.utf8),
            value: EventCodec.encodeJSON(event))
        let outputs = runner.withLock { runner in
            var outputs: [OutputRecord] = []
            runner.process(record) { outputs.append($0) }
            return outputs
        }
        serving.record(outputs)
    }

    func announce(_ instance: String, partitions: [Int32], at time: Int64) {
        directory.apply(
            key: Array(instance.utf8),
            value: InstanceAnnouncement(instance: instance, partitions: partitions, at: time).encodeJSON())
    }

    /// The results the serving view holds for `userId`, nil when it holds none.
    func results(of userId: String) -> UserResults? {
        guard case .owned(let results, _) = serving.lookup(user: userId) else { return nil }
        return results
    }

    var state: WorkerHTTPState {
        let runner = self.runner
        return WorkerHTTPState(
            serving: serving, directory: directory, itemTable: itemTable, registry: registry,
            listLength: settings.ranking.topN, advertisedAddress: Self.ownAddress,
            statistics: { [statistics] in statistics.value },
            currentFeed: { userId in runner.withLock { $0.pipeline.currentFeed(of: userId) } })
    }

    /// The API port's router as `run` serves it, with its own Prometheus registry.
    func router(limits: HTTPLimits = HTTPLimits(), console: Console.Settings = .init()) -> Router<BasicRequestContext> {
        let (metrics, registry) = Self.metrics(statistics)
        return HealthServer.router(state: state, metrics: metrics, registry: registry, console: console, limits: limits)
    }

    func application(limits: HTTPLimits = HTTPLimits(), console: Console.Settings = .init())
        -> WorkerHTTPServer.Server
    {
        Application(router: router(limits: limits, console: console))
    }

    /// The health port's router.
    func healthApplication() -> WorkerHTTPServer.Server {
        let (metrics, registry) = Self.metrics(statistics)
        return Application(router: HealthServer.healthRouter(state: state, metrics: metrics, registry: registry))
    }

    private static func metrics(_ statistics: Locked<WorkerStatistics>)
        -> (WorkerMetrics, PrometheusCollectorRegistry)
    {
        let registry = PrometheusCollectorRegistry()
        let metrics = WorkerMetrics(topics: TopicLayout(), factory: PrometheusMetricsFactory(registry: registry)) {
            statistics.value
        }
        return (metrics, registry)
    }

    /// Six user ids per input partition, in the order of a counter.
    private static func users(in view: ServingView) -> [[String]] {
        let perPartition = 6
        var users = Array(repeating: [String](), count: Int(inputPartitions))
        var counter = 0
        while users.contains(where: { $0.count < perPartition }) {
            let id = "user-\(counter)"
            let partition = Int(view.partition(ofUser: id))
            if users[partition].count < perPartition { users[partition].append(id) }
            counter += 1
        }
        return users
    }
}
