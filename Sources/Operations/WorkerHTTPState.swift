import Recommender
import Serving
import Worker

/// What the HTTP servers read of a worker: the serving view, the instance directory, the item table and model
/// registry every instance holds, and its statistics. A running `Worker` provides them; a route test builds them
/// from the same parts, filled without Kafka, so the router it drives is the one `run` serves.
public struct WorkerHTTPState: Sendable {
    public var serving: ServingView
    public var directory: InstanceDirectory
    public var itemTable: ItemTable
    public var registry: ModelRegistry
    /// Entries a kept list has (`--top-n`): a request for as many or more is answered with the stored JSON as is.
    public var listLength: Int
    /// `--http-advertise`: this instance's own address, never a redirect's target.
    public var advertisedAddress: String?
    public var statistics: @Sendable () -> WorkerStatistics
    /// The personalized feed of a user computed from the state of the lane holding the user, nil when none does.
    public var currentFeed: @Sendable (String) async -> Recommendation?

    public init(
        serving: ServingView, directory: InstanceDirectory, itemTable: ItemTable, registry: ModelRegistry,
        listLength: Int, advertisedAddress: String?, statistics: @escaping @Sendable () -> WorkerStatistics,
        currentFeed: @escaping @Sendable (String) async -> Recommendation?
    ) {
        self.serving = serving
        self.directory = directory
        self.itemTable = itemTable
        self.registry = registry
        self.listLength = listLength
        self.advertisedAddress = advertisedAddress
        self.statistics = statistics
        self.currentFeed = currentFeed
    }

    public init(worker: Worker) {
        self.init(
            serving: worker.serving, directory: worker.directory, itemTable: worker.itemTable,
            registry: worker.registry, listLength: worker.options.pipeline.ranking.topN,
            advertisedAddress: worker.options.httpAdvertise, statistics: { worker.statistics },
            currentFeed: { await worker.currentFeed(of: $0) })
    }
}
