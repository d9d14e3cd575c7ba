import ArgumentParser
import Evaluation
import Foundation
import Recommender
import StreamEngine
import Topology

/// `streamrec soak`: the memory bounds under a long stream — many more distinct users and items than the bounds
/// hold, plus one hot user — through the real pipeline on lanes, sampling resident memory as it goes.
struct Soak: ParsableCommand {
    /// Written at once, not buffered: a long run shows its samples as they come, also into a file.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static let configuration = CommandConfiguration(
        abstract: "Stream many distinct users and items (and one hot user) through the pipeline with bounds set; "
            + "print resident memory, state sizes and evictions as it goes.")

    @Option(help: "Events to process.") var events = 10_000_000
    @Option(help: "Distinct users, each in turn (every user is new until they wrap around).") var users = 10_000_000
    @Option(help: "Distinct items.") var items = 1_000_000
    @Option var categories = 1_000
    @Option(help: "Every n-th event is the hot user's (0: none).") var hotEvery = 10
    @Option(help: "Input partitions (tasks).") var partitions: Int32 = 8
    @Option(help: "Lanes (threads).") var lanes = 2
    @Option(help: "Users kept per user task.") var maxUsersPerPartition = 50_000
    @Option(help: "Items kept per item task.") var maxItemsPerPartition = 50_000
    @Option(help: "Rows kept in the item table.") var maxItems = 200_000
    @Option(help: "Print a line every this many events.") var every = 1_000_000

    func run() throws {
        var settings = PipelineSettings()
        settings.shufflePartitions = partitions
        settings.maxUsersPerPartition = maxUsersPerPartition
        settings.maxItemsPerPartition = maxItemsPerPartition
        settings.maxItems = maxItems
        try settings.validate()
        let outputs = Locked(0)
        let runner = ParallelLocalRunner(settings: settings, lanes: lanes) { _ in
            outputs.withLock { $0 += 1 }
        }
        var sequencer = InputSequencer(partitions: partitions)
        var random = SeededRandom(seed: 7)
        let behaviors: [Behavior] = [.view, .view, .view, .view, .click, .click, .favorite, .cart, .purchase]
        let start = ContinuousClock.now
        let baseline = ResidentMemory.bytes()
        var peak = baseline
        var batch: [StreamRecord] = []
        var nextUser = 0
        say(
            "events \(events), users \(users), items \(items), hot user every \(hotEvery) events; bounds: "
                + "\(maxUsersPerPartition) users/task × \(partitions) tasks, \(maxItemsPerPartition) items/task, table \(maxItems), "
                + "caches \(settings.userCache.maxEntries) feeds/task")
        for index in 0..<events {
            let isHot = hotEvery > 0 && index % hotEvery == 0
            let userId = isHot ? "hot" : "u\(nextUser)"
            if !isHot { nextUser = (nextUser + 1) % users }
            let item = Int(random.next() % UInt64(items))
            let event = BehaviorEvent(
                userId: userId, itemId: "i\(item)", behavior: behaviors[index % behaviors.count],
                timestamp: 1_700_000_000_000 + Int64(index), categoryId: "c\(item % categories)")
            batch.append(sequencer.record(for: event))
            if batch.count == 1_000 {
                while runner.queuedRecords > 20_000 { Thread.sleep(forTimeInterval: 0.001) }
                runner.submit(batch)
                batch.removeAll(keepingCapacity: true)
            }
            if (index + 1) % every == 0 || index + 1 == events {
                runner.submit(batch)
                batch.removeAll(keepingCapacity: true)
                runner.waitUntilIdle()
                let resident = ResidentMemory.bytes()
                peak = max(peak, resident)
                let counters = runner.counters
                let kept = runner.stateKeys
                let seconds = (ContinuousClock.now - start).inSeconds
                say(
                    "\(index + 1) events  \(Int(Double(index + 1) / seconds)) ev/s  resident "
                        + "\(resident / 1_048_576) MiB  users kept \(kept.users) (evicted \(counters.usersEvicted))  "
                        + "items kept \(kept.items) (evicted \(counters.itemsEvicted))  table \(runner.table.itemCount)  "
                        + "feed cache evictions \(counters.userCache.evictions)")
            }
        }
        runner.stop()
        say(
            "peak resident memory \(peak / 1_048_576) MiB (\((peak - baseline) / 1_048_576) MiB above the start) for "
                + "\(events) events; \(outputs.value) outputs")
    }
}
