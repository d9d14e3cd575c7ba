import StreamEngine
import Testing

@testable import Worker

@Suite struct OutputGateTests {
    func outputs(_ values: ClosedRange<UInt8>) -> [OutputRecord] {
        values.map { OutputRecord(topic: "out", key: nil, value: [$0]) }
    }

    @Test func outputsBehindABarrierWaitForTheReleaseAndKeepTheirOrder() {
        let sent = Locked<[UInt8]>([])
        let gate = OutputGate { outputs in sent.withLock { $0 += outputs.map { $0.value![0] } } }
        gate.emit(outputs(1...2))
        gate.hold()
        gate.emit(outputs(3...4))
        gate.emit(outputs(5...5))
        #expect(sent.value == [1, 2])
        #expect(gate.heldCount == 3)
        gate.release()
        gate.emit(outputs(6...6))
        #expect(sent.value == [1, 2, 3, 4, 5, 6])
        #expect(gate.heldCount == 0)
    }

    @Test func aDiscardDropsWhatWasHeldAndLetsLaterOutputsThrough() {
        let sent = Locked<[UInt8]>([])
        let gate = OutputGate { outputs in sent.withLock { $0 += outputs.map { $0.value![0] } } }
        gate.hold()
        gate.emit(outputs(1...3))
        gate.discard()
        gate.emit(outputs(4...4))
        #expect(sent.value == [4])
    }
}
