import ArgumentParser
import Foundation
import Kafka
import Logging
import Recommender
import Worker

/// `streamrec model`: the versions in `recsys-models` and which of them rank.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, publish and activate ranking-model versions, roll back, and run canaries.",
        discussion: """
            Works on the models topic (compacted, one partition): key = version name, value = the model file \
            (the JSON format of ModelFile); key @control = which version is active, the canary and its share, \
            whether an operator pinned the choice, and the activation history. Every worker follows it within \
            moments. activate and rollback pin the control (the trainer then publishes without activating); \
            unpin hands activation back to the trainer. rollback makes the previously active version active \
            again and drops the version rolled back from off the history, so a second rollback goes one further \
            back.
            """,
        subcommands: [List.self, Publish.self, Activate.self, Rollback.self, Canary.self, Unpin.self])
}

/// Broker flags plus the models topic, shared by every `model` subcommand.
struct ModelTopicOptions: ParsableArguments {
    @OptionGroup var kafka: KafkaOptions
    @Option(help: "The models topic.") var topic = "recsys-models"

    func admin() throws -> ModelAdmin {
        var logger = Logger(label: "streamrec.model")
        logger.logLevel = .error
        return ModelAdmin(configuration: try kafka.configuration(), topic: topic, logger: logger)
    }
}

extension Model {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every version in the topic and the control state (active, canary, pinned, history).")

        @OptionGroup var options: ModelTopicOptions
        @Flag(help: "Print one JSON object instead of a table.") var json = false

        func run() throws {
            let state = try options.admin().read()
            print(json ? Self.json(state) : Self.text(state), terminator: "")
        }

        static func text(_ state: ModelTopicState) -> String {
            let control = state.control
            var out = "\(state.topic): \(state.versions.count) version(s), \(state.controlRecords) control record(s)\n"
            let header = ["", "VERSION", "KIND", "HASHBITS", "FACTORS", "TRAINED", "LOGLOSS", "AUC", "CREATED"]
            var rows: [[String]] = []
            var errors: [String] = []
            for version in state.versions {
                let mark = version.name == control.active ? "*" : version.name == control.canary ? "c" : ""
                guard let summary = version.summary else {
                    rows.append([mark, version.name, "invalid"] + Array(repeating: "-", count: 6))
                    errors.append("  \(version.name): \(version.error ?? "invalid")")
                    continue
                }
                rows.append([
                    mark, version.name, summary.kind, String(summary.hashBits), String(summary.factors),
                    String(summary.trainedExamples), summary.logLoss.map { format($0) } ?? "-",
                    summary.auc.map { format($0) } ?? "-", date(summary.createdAt),
                ])
            }
            if !rows.isEmpty {
                let widths = header.indices.map { column in
                    ([header] + rows).map { $0[column].count }.max() ?? 0
                }
                for row in [header] + rows {
                    let cells = row.enumerated().map {
                        $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
                    }
                    var line = cells.joined(separator: "  ")
                    while line.last == " " { line.removeLast() }
                    out += line + "\n"
                }
            }
            if !errors.isEmpty { out += "invalid versions:\n" + errors.joined(separator: "\n") + "\n" }
            if !rows.isEmpty { out += "(* active, c canary)\n" }
            out += "active:  \(control.active ?? "none (the blend ranks)")\n"
            if let canary = control.canary {
                out += "canary:  \(canary) for \(format(control.canaryShare * 100))% of users\n"
            } else {
                out += "canary:  none\n"
            }
            out += "pinned:  \(control.pinned ? "yes (the trainer publishes without activating)" : "no")\n"
            out += "history: \(control.history.isEmpty ? "empty" : control.history.joined(separator: ", "))\n"
            if let error = state.controlError { out += "the newest control record was rejected: \(error)\n" }
            return out
        }

        static func json(_ state: ModelTopicState) -> String {
            let versions: [[String: Any]] = state.versions.map { version in
                var object: [String: Any] = ["name": version.name, "offset": version.offset]
                if let summary = version.summary {
                    object["kind"] = summary.kind
                    object["hashBits"] = summary.hashBits
                    object["factors"] = summary.factors
                    object["fields"] = summary.fields
                    object["hiddenUnits"] = summary.hiddenUnits
                    object["trainedExamples"] = summary.trainedExamples
                    object["logLoss"] = summary.logLoss ?? NSNull()
                    object["auc"] = summary.auc ?? NSNull()
                    object["createdAt"] = summary.createdAt
                }
                object["error"] = version.error ?? NSNull()
                return object
            }
            let control = state.control
            let object: [String: Any] = [
                "topic": state.topic, "versions": versions, "controlRecords": state.controlRecords,
                "controlError": state.controlError ?? NSNull(),
                "control": [
                    "active": control.active ?? NSNull(), "canary": control.canary ?? NSNull(),
                    "canaryShare": control.canaryShare, "pinned": control.pinned, "history": control.history,
                ] as [String: Any],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }

        static func format(_ value: Double) -> String { String(format: "%.4g", value) }

        static func date(_ milliseconds: Int64) -> String {
            let formatter = ISO8601DateFormatter()
            return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a model file and publish it as a version (key = its version name).",
            discussion: """
                The file is checked as every worker reads it; a malformed one is refused and nothing is written. \
                A version name already in the topic with different content is refused too (names are unique per \
                publish). With --activate the version also becomes active (pinned); with --canary-share it ranks \
                that share of users instead.
                """)

        @OptionGroup var options: ModelTopicOptions
        @Option(help: "The model file (JSON, format streamrec-model/1).") var file: String
        @Flag(help: "Make the version active for everybody (pins the control).") var activate = false
        @Option(help: "Rank this share of users (0...1) with the version, as a canary.") var canaryShare: Double?

        func validate() throws {
            if activate, canaryShare != nil { throw ValidationError("choose one of --activate and --canary-share") }
            if let canaryShare { try validateShare(canaryShare, flag: "--canary-share") }
        }

        func run() throws {
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw ModelCommandError("cannot read \(file): \(error.localizedDescription)")
            }
            // The file is checked before connecting: a malformed one fails fast, whatever the broker.
            do throws(ModelFileError) { _ = try ModelFile.decode(bytes) } catch {
                throw ModelCommandError("\(file): \(error.description)")
            }
            let admin = try options.admin()
            let state = try admin.read()
            let change = try ModelEdits.publish(
                file: bytes, activate: activate, canaryShare: canaryShare, state: state)
            try admin.write(change)
            print("published \(change.published ?? "?") to \(admin.topic)")
            if let control = change.control { print(describe(control)) }
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a version in the topic active for everybody, and pin the choice.")

        @OptionGroup var options: ModelTopicOptions
        @Argument(help: "The version name.") var version: String

        func run() throws {
            let admin = try options.admin()
            let change = try ModelEdits.activate(version, state: try admin.read())
            try admin.write(change)
            print(describe(change.control))
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the previously active version active again, and pin the choice.",
            discussion: """
                The version rolled back from leaves the activation history, so a second rollback goes one further \
                back.
                """)

        @OptionGroup var options: ModelTopicOptions

        func run() throws {
            let admin = try options.admin()
            let change = try ModelEdits.rollback(state: try admin.read())
            try admin.write(change)
            print(describe(change.control))
        }
    }

    struct Canary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank a share of users with a version (canary <version> --share 0.1), or end it (--off).",
            discussion: "A user stays in or out of the canary while the share stays (a stable hash of the user id).")

        @OptionGroup var options: ModelTopicOptions
        @Argument(help: "The version name.") var version: String?
        @Option(help: "Share of users (0...1) ranked by the canary.") var share: Double?
        @Flag(help: "End the canary.") var off = false

        func validate() throws {
            if off {
                guard version == nil, share == nil else { throw ValidationError("--off takes no version or --share") }
                return
            }
            guard version != nil else { throw ValidationError("give a version and --share, or --off") }
            guard let share else { throw ValidationError("give the canary's share of users with --share (0...1)") }
            try validateShare(share, flag: "--share")
        }

        func run() throws {
            let admin = try options.admin()
            let state = try admin.read()
            let change =
                if off {
                    ModelEdits.canaryOff(state: state)
                } else {
                    try ModelEdits.canary(version ?? "", share: share ?? 0, state: state)
                }
            try admin.write(change)
            print(describe(change.control))
        }
    }

    struct Unpin: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let the trainer activate the versions it publishes again.")

        @OptionGroup var options: ModelTopicOptions

        func run() throws {
            let admin = try options.admin()
            let change = ModelEdits.unpin(state: try admin.read())
            try admin.write(change)
            print(describe(change.control))
        }
    }
}

/// A failure reported as `Error: <message>` with a non-zero exit status.
struct ModelCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

private func validateShare(_ share: Double, flag: String) throws {
    guard share.isFinite, (0...1).contains(share) else {
        throw ValidationError("\(flag) must be in 0...1 (a fraction of users, 0.1 = 10%), got \(share)")
    }
}

/// One line saying what the control now is.
private func describe(_ control: ModelControl?) -> String {
    guard let control else { return "control unchanged" }
    var parts = ["active: \(control.active ?? "none (the blend)")"]
    if let canary = control.canary { parts.append("canary: \(canary) at \(control.canaryShare)") }
    parts.append("pinned: \(control.pinned)")
    parts.append("history: \(control.history.joined(separator: ", "))")
    return parts.joined(separator: "; ")
}
