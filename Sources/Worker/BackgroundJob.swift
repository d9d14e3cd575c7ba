import Foundation
import StreamEngine

/// A blocking loop on its own thread (a worker, a generator), with a way to wait for it and see how it ended.
public final class BackgroundJob: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Locked<(any Error)?>(nil)

    public init(name: String, _ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [done, outcome] in
            do { try body() } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the job to end and rethrows its error.
    public func join() throws {
        done.wait()
        done.signal()  // later joins return at once
        if let error = outcome.value { throw error }
    }

    /// Whether the job has ended (normally or with an error).
    public var isFinished: Bool {
        if done.wait(timeout: .now()) == .success {
            done.signal()
            return true
        }
        return false
    }

    /// The job's error so far, without waiting.
    public var failure: (any Error)? { outcome.value }
}
