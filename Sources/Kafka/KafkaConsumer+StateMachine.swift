extension KafkaConsumer {
    /// The consumer's life in one place: created → subscribed → closing → closed.
    ///
    /// Each transition is a method that checks it is legal from the current state. An illegal one is a bug in the
    /// caller: it traps in debug builds (`assertionFailure`), and in release builds it is refused — it throws, or,
    /// where nothing could be thrown to, it is ignored — so a production worker never dies of it.
    struct StateMachine: Sendable, Equatable {
        enum State: Sendable, Equatable {
            /// Made, no subscription yet: a poll returns nothing and no group is joined.
            case created
            /// Subscribed to `topics`; the group assigns partitions through the rebalance handler.
            case subscribed(topics: [String])
            /// Inside `close`: the final revoke runs through the rebalance handler, which may still commit.
            case closing
            /// Left the group (or failed to). It is never joined again; the handle lives until the consumer goes.
            case closed
        }

        private(set) var state: State = .created

        /// Subscribes with `apply` (the librdkafka call) when the state allows it; a failed call leaves the state as
        /// it was.
        mutating func subscribe(
            to topics: [String], _ apply: ([String]) throws(KafkaError) -> Void
        ) throws(KafkaError) {
            switch state {
            case .created, .subscribed:
                try apply(topics)
                state = .subscribed(topics: topics)
            case .closing, .closed:
                throw Self.illegal("subscribing to \(topics.joined(separator: ",")) while the consumer is \(state)")
            }
        }

        enum CloseAction: Equatable {
            /// Leave the group now, then call `finishClosing`.
            case leaveGroup
            /// Already closed: closing twice is allowed and does nothing.
            case nothing
        }

        mutating func startClosing() -> CloseAction {
            switch state {
            case .created, .subscribed:
                state = .closing
                return .leaveGroup
            case .closing:
                // Only the rebalance handler runs while closing, so this is `close` called from inside it.
                _ = Self.illegal("closing the consumer from inside its own close (the rebalance handler)")
                return .nothing
            case .closed:
                return .nothing
            }
        }

        mutating func finishClosing() {
            guard state == .closing else {
                _ = Self.illegal("finishing a close that never started (the consumer is \(state))")
                return
            }
            state = .closed
        }

        /// A consumer dropped without `close` still has to leave its group.
        var mustLeaveGroupOnDeinit: Bool { state != .closed }

        /// Reports an illegal transition: traps in debug builds, and otherwise is the error a caller throws.
        private static func illegal(_ message: String) -> KafkaError {
            assertionFailure("KafkaConsumer: \(message)")
            return .illegalState(message)
        }
    }
}
