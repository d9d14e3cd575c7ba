import Foundation

/// `/console/info`: this instance and what the console can offer.
struct ConsoleInfo: Encodable {
    /// `--http-advertise`, nil when the instance does not announce itself.
    var instance: String?
    var inputPartitions: Int32
    /// Input and item-shuffle partitions assigned to this instance now.
    var partitions: [Int32]
    var shufflePartitions: [Int32]
    var ready: Bool
    var suggestedUsers: [String]
    var evaluation: Evaluation

    struct Evaluation: Encodable {
        var report: Bool
        var plot: Bool
    }

    init(state: WorkerHTTPState, settings: Console.Settings) {
        let statistics = state.statistics()
        instance = state.advertisedAddress
        inputPartitions = state.serving.inputPartitions
        partitions = statistics.assignedPartitions.sorted()
        shufflePartitions = statistics.assignedShufflePartitions.sorted()
        ready = statistics.ready
        suggestedUsers = settings.suggestedUsers()
        evaluation = Evaluation(report: settings.evaluationJSON != nil, plot: settings.evaluationPlot != nil)
    }

    func encodeJSON() -> [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data("{}".utf8)) }
}
