import ArgumentParser

@main
struct StreamRecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamrec", abstract: "Real-time recommendations on Kafka.")
}
