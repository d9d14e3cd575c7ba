import ArgumentParser

@main
struct StreamRecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamrec",
        abstract: "Real-time recommendations on Kafka: features, rankings and lists from a stream of user behavior.",
        subcommands: [
            Run.self, Demo.self, Produce.self, Tail.self, Replay.self, Bench.self, Broker.self, State.self,
            Evaluate.self, Convert.self, Model.self, Soak.self, Generate.self,
        ])
}
