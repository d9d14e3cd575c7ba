import Logging
import ServiceLifecycle
import Worker

/// Runs a worker (a blocking loop on its own thread) as a service of a ServiceGroup: a graceful shutdown (SIGTERM)
/// asks it to finish — last commit, leave the group — and the service returns once it did, or throws its error.
public struct WorkerService: Service {
    public let worker: Worker

    public init(worker: Worker) {
        self.worker = worker
    }

    public func run() async throws {
        let stop = StopSignal()
        let job = BackgroundJob(name: "worker") { [worker] in try worker.run(until: stop) }
        await withGracefulShutdownHandler {
            while !job.isFinished { try? await Task.sleep(for: .milliseconds(20)) }
        } onGracefulShutdown: {
            stop.stop()
        }
        try job.join()
    }
}
