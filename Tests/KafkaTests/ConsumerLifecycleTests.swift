import Foundation
import StreamEngine
import Testing

@testable import Kafka

/// The consumer's lifecycle (`KafkaConsumer.StateMachine`): its legal transitions on their own, the illegal ones
/// trapping in debug builds, and a real consumer on the embedded cluster passing through every state.
@Suite("Consumer lifecycle")
struct ConsumerLifecycleTests {
    typealias Machine = KafkaConsumer.StateMachine

    @Test func legalTransitionsGoFromCreatedThroughSubscribedAndClosingToClosed() throws {
        var machine = Machine()
        #expect(machine.state == .created)
        try machine.subscribe(to: ["a"]) { _ in }
        #expect(machine.state == .subscribed(topics: ["a"]))
        // A second subscription replaces the first, as librdkafka's does.
        try machine.subscribe(to: ["a", "b"]) { _ in }
        #expect(machine.state == .subscribed(topics: ["a", "b"]))
        #expect(machine.mustLeaveGroupOnDeinit)
        #expect(machine.startClosing() == .leaveGroup)
        #expect(machine.state == .closing)
        machine.finishClosing()
        #expect(machine.state == .closed)
        #expect(!machine.mustLeaveGroupOnDeinit)
        // Closing twice is allowed and does nothing.
        #expect(machine.startClosing() == .nothing)
        #expect(machine.state == .closed)
    }

    @Test func aConsumerThatNeverSubscribedStillLeavesOnClose() {
        var machine = Machine()
        #expect(machine.startClosing() == .leaveGroup)
        machine.finishClosing()
        #expect(machine.state == .closed)
    }

    @Test func aFailedSubscribeLeavesTheStateAsItWas() throws {
        var machine = Machine()
        let refused = KafkaError.invalidArgument("refused")
        #expect(throws: refused) { try machine.subscribe(to: ["a"]) { (_) throws(KafkaError) in throw refused } }
        #expect(machine.state == .created)
        try machine.subscribe(to: ["a"]) { _ in }
        #expect(throws: refused) { try machine.subscribe(to: ["b"]) { (_) throws(KafkaError) in throw refused } }
        #expect(machine.state == .subscribed(topics: ["a"]))
    }

    #if DEBUG
        @Test func subscribingAClosedConsumerTrapsInDebugBuilds() async {
            await #expect(processExitsWith: .failure) {
                var machine = KafkaConsumer.StateMachine()
                _ = machine.startClosing()
                machine.finishClosing()
                try? machine.subscribe(to: ["a"]) { _ in }
            }
        }

        @Test func closingFromInsideCloseTrapsInDebugBuilds() async {
            await #expect(processExitsWith: .failure) {
                var machine = KafkaConsumer.StateMachine()
                _ = machine.startClosing()
                _ = machine.startClosing()
            }
        }
    #else
        @Test func subscribingAClosedConsumerThrowsInReleaseBuilds() {
            var machine = Machine()
            _ = machine.startClosing()
            machine.finishClosing()
            var applied = false
            #expect {
                try machine.subscribe(to: ["a"]) { _ in applied = true }
            } throws: { error in
                (error as? KafkaError)?.name == "_STATE"
            }
            #expect(!applied)
            #expect(machine.state == .closed)
        }
    #endif

    @Test func aConsumerOnTheEmbeddedClusterPassesThroughEveryState() throws {
        let cluster = try EmbeddedCluster()
        try cluster.createTopic(TopicSpecification(name: "lifecycle", partitions: 2))
        weak var observed: KafkaConsumer?
        var statesAtRevoke: [Machine.State] = []
        let consumer = try KafkaConsumer(
            configuration: testConsumerConfiguration(cluster, group: "g-lifecycle"),
            onRebalance: { event in
                if case .revoked = event, let state = observed?.lifecycle.state { statesAtRevoke.append(state) }
                return []
            })
        observed = consumer
        #expect(consumer.lifecycle.state == .created)

        try consumer.subscribe(["lifecycle"])
        #expect(consumer.lifecycle.state == .subscribed(topics: ["lifecycle"]))
        let deadline = Date().addingTimeInterval(20)
        while try consumer.assignment().isEmpty, Date() < deadline { _ = consumer.pollBatch(timeoutMilliseconds: 100) }
        #expect(try consumer.assignment().count == 2)
        #expect(statesAtRevoke.isEmpty)

        try consumer.close()
        #expect(consumer.lifecycle.state == .closed)
        // The final revoke ran inside `close`, with the consumer already closing (so the handler may still commit).
        #expect(statesAtRevoke == [.closing])
        try consumer.close()
        #expect(consumer.lifecycle.state == .closed)
        #expect(statesAtRevoke == [.closing])
    }
}
