import StreamEngine

/// Between one lane and the producer. With exactly-once, a transaction must hold exactly the outputs of the records
/// its checkpoint covers; a lane that has passed a checkpoint barrier already produces the next epoch's outputs while
/// the barrier's transaction is still being committed, so the gate holds them until the next transaction has begun
/// (`release`). Before the barrier, and with at-least-once, outputs pass straight through.
final class OutputGate: Sendable {
    private struct State {
        var holding = false
        // Bound: the poll loop pauses the lane's partitions while `heldCount` is over its limit, so at most that
        // limit plus the outputs of the lane's queued records.
        var held: [OutputRecord] = []
    }

    private let state = Locked(State())
    private let send: @Sendable ([OutputRecord]) -> Void

    /// `send` hands outputs to the producer; it runs under the gate's lock, so a lane's outputs keep their order.
    init(send: @escaping @Sendable ([OutputRecord]) -> Void) {
        self.send = send
    }

    /// A lane's outputs after a batch (on the lane's thread).
    func emit(_ outputs: [OutputRecord]) {
        guard !outputs.isEmpty else { return }
        let send = self.send
        state.withLock { state in
            if state.holding { state.held += outputs } else { send(outputs) }
        }
    }

    /// Holds what the lane emits from now on (on the lane's thread, when it reaches a barrier).
    func hold() {
        state.withLock { $0.holding = true }
    }

    /// Sends what was held, in order, and lets later outputs through (once their transaction has begun).
    func release() {
        let send = self.send
        state.withLock { state in
            send(state.held)
            state.held = []
            state.holding = false
        }
    }

    /// Drops what was held: its transaction is given up and the records that caused it are processed again.
    func discard() {
        state.withLock { state in
            state.held = []
            state.holding = false
        }
    }

    var heldCount: Int { state.withLock { $0.held.count } }
}
