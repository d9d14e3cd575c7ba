import StreamEngine
import Testing

@Suite struct TaskLifecycleTests {
    let partition = TopicPartition(topic: "user-behavior", partition: 3)

    @Test func theLegalMovesAreKafkaStreamsLifeOfATask() {
        let legal: Set<[TaskLifecycle]> = [
            [.created, .restoring], [.restoring, .running], [.restoring, .closed], [.running, .suspended],
            [.suspended, .restoring], [.suspended, .closed],
        ]
        for from in TaskLifecycle.allCases {
            for to in TaskLifecycle.allCases {
                #expect(from.allows(to) == legal.contains([from, to]), "\(from) → \(to)")
            }
        }
    }

    /// Moves the task through `steps`; whether each move was legal.
    func move(_ lifecycles: inout TaskLifecycles, through steps: [TaskLifecycle]) -> [Bool] {
        steps.map { lifecycles.move(partition, to: $0) }
    }

    @Test func aTaskIsRestoredRunsIsRewoundAndClosed() {
        var lifecycles = TaskLifecycles()
        #expect(lifecycles.state(of: partition) == nil)
        for next in [TaskLifecycle.restoring, .running, .suspended, .restoring, .running] {
            #expect(move(&lifecycles, through: [next]) == [true])
            #expect(lifecycles.state(of: partition) == next)
        }
        #expect(lifecycles.counts == [.running: 1])
        #expect(move(&lifecycles, through: [.suspended, .closed]) == [true, true])
        // A closed task is forgotten: the partition, assigned again, starts a new task.
        #expect(lifecycles.state(of: partition) == nil)
        #expect(lifecycles.counts.isEmpty)
    }

    @Test func aTaskWhoseRestoreFailsIsClosed() {
        var lifecycles = TaskLifecycles()
        #expect(move(&lifecycles, through: [.restoring, .closed]) == [true, true])
        #expect(lifecycles.state(of: partition) == nil)
    }

    #if DEBUG
        @Test func runningATaskThatWasNeverRestoredTrapsInDebugBuilds() async {
            await #expect(processExitsWith: .failure) {
                var lifecycles = TaskLifecycles()
                lifecycles.move(TopicPartition(topic: "user-behavior", partition: 3), to: .running)
            }
        }
    #else
        @Test func anIllegalMoveIsRefusedInReleaseBuilds() {
            var lifecycles = TaskLifecycles()
            #expect(move(&lifecycles, through: [.running]) == [false])
            #expect(lifecycles.state(of: partition) == nil)
        }
    #endif
}
