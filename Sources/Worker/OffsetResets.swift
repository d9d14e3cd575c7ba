import Kafka
import Logging
import StreamEngine

/// What the worker does when librdkafka resets a partition's position because it is not in the log — retention
/// deleted records before they were read (a worker down longer than the topic's retention, an internal topic on a
/// broker that keeps little), or the log was truncated. The records between the position and where
/// `auto.offset.reset` moved it are lost; librdkafka itself only logs a warning. Here each reset is counted per
/// partition with the records it skipped, and logged as an error. With exactly-once the tasks are then treated as
/// Kafka Streams treats a task whose offsets are out of range (`TaskCorruptedException`): the open transaction is
/// aborted, the tasks are closed without a checkpoint and restored from their changelogs, and reading resumes at
/// the last checkpoint — except on the corrupted partition, which resumes where the reset moved it (its
/// checkpoint's offset is gone too). At-least-once goes on from there with the state it has.
final class OffsetResets {
    /// Where librdkafka moves a reset partition (`auto.offset.reset`).
    let policy: KafkaConfiguration.OffsetReset
    let exactlyOnce: Bool
    let counts: Locked<WorkerStatistics>
    let logger: Logger
    /// The last reset handled per partition, so the same loss reported again (a rewind to a checkpoint whose offset
    /// is gone too, before the seek past it took effect) is neither counted twice nor recovered from in a loop.
    /// Bound: one entry per partition this instance was assigned.
    private var handled: [TopicPartition: Int64] = [:]

    init(kafka: KafkaConfiguration, exactlyOnce: Bool, counts: Locked<WorkerStatistics>, logger: Logger) {
        policy =
            kafka.properties["auto.offset.reset"].flatMap { KafkaConfiguration.OffsetReset(rawValue: $0) }
            ?? kafka.autoOffsetReset
        self.exactlyOnce = exactlyOnce
        self.counts = counts
        self.logger = logger
    }

    func handle(_ resets: [OffsetResetEvent], loop: PollLoop, consumer: KafkaConsumer) throws(KafkaError) {
        guard !resets.isEmpty else { return }
        var resumes: [TopicPartitionOffset] = []
        var corrupted: [TopicPartition] = []
        for reset in resets {
            let log = try consumer.offsetRange(of: reset.partition)
            let resumeAt = policy == .latest ? log.upperBound : log.lowerBound
            resumes.append(TopicPartitionOffset(reset.partition, offset: resumeAt))
            guard handled[reset.partition] != reset.offset else { continue }
            handled[reset.partition] = reset.offset
            corrupted.append(reset.partition)
            // A position past the log's end (a truncated log) read from the start again loses nothing.
            let skipped = max(0, resumeAt - reset.offset)
            counts.withLock {
                $0.offsetResets[reset.partition, default: 0] += 1
                $0.recordsSkippedByReset[reset.partition, default: 0] += Int(skipped)
            }
            logger.error(
                "offset reset: records deleted before they were read are lost",
                metadata: [
                    "partition": "\(reset.partition)", "position": "\(reset.offset)",
                    "log": "\(log.lowerBound)..<\(log.upperBound)", "skipped": "\(skipped)",
                    "resumeAt": "\(resumeAt)", "exactlyOnce": "\(exactlyOnce ? "task corrupted, restoring" : "no")",
                ])
        }
        // Past the deleted records at once. Not waited for: librdkafka may still be applying its own reset, and the
        // seek's version barrier keeps records from before it from being delivered.
        try consumer.seek(resumes, timeoutMilliseconds: 0)
        guard exactlyOnce, !corrupted.isEmpty else { return }
        // The rewind runs where every recovery runs, after this poll; it goes back to checkpoints, the corrupted
        // partition's is gone too, and its second reset is sought past here again without being counted twice.
        loop.recoveryNeeded =
            loop.recoveryNeeded
            ?? KafkaError(
                code: 1, name: "OFFSET_OUT_OF_RANGE",
                message: "task corrupted: \(corrupted.map { "\($0)" }.joined(separator: ", ")) lost records",
                requiresAbort: true)
    }
}
