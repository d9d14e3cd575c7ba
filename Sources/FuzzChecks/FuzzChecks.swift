import Foundation
import Recommender
@_spi(Fuzzing) import Topology

/// What each fuzz target does with one input: decode it, and where it decodes, check what must then hold. A broken
/// property traps, which libFuzzer reports as a crash with the input that caused it (`make fuzz`).
public enum FuzzChecks {
    public enum Target: String, CaseIterable, Sendable {
        /// Behavior events as JSON, CSV, Taobao CSV and auto-detected.
        case events
        /// Model files (the values of `recsys-models`).
        case model
        /// Binary state and headers read back from Kafka; the first byte picks the decoder.
        case state
    }

    public static func run(_ target: Target, _ bytes: [UInt8]) {
        switch target {
        case .events: events(bytes)
        case .model: model(bytes)
        case .state: state(bytes)
        }
    }

    static func events(_ bytes: [UInt8]) {
        for format in [EventFormat.json, .csv, .taobaoCSV, .auto] {
            guard let event = try? EventCodec.decode(bytes, format: format) else { continue }
            // Whatever decodes is a valid event, so both encodings must give it back unchanged.
            let json = try? EventCodec.decode(EventCodec.encodeJSON(event), format: .json)
            precondition(json == event, "JSON round trip of \(event) gave \(String(describing: json))")
            if EventCodec.canEncodeCSV(event) {
                let csv = try? EventCodec.decode(EventCodec.encodeCSV(event), format: .csv)
                precondition(csv == event, "CSV round trip of \(event) gave \(String(describing: csv))")
            }
        }
    }

    static func model(_ bytes: [UInt8]) {
        guard let version = try? ModelFile.decode(bytes) else { return }
        let again = try? ModelFile.decode(ModelFile.encode(version))
        precondition(again != nil, "model \(version.version) decoded, but not after being written again")
    }

    static func state(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        switch selector % 5 {
        case 0: _ = BinaryDecoders.userState(rest)
        case 1: _ = BinaryDecoders.itemState(rest)
        case 2: _ = BinaryDecoders.coOccurrences(rest)
        case 3: _ = BinaryDecoders.trainingExample(rest)
        default: _ = BinaryDecoders.itemTableRow(rest)
        }
    }

    /// Runs a target over files and the files in directories (a corpus), as a plain build replays crashers. Returns
    /// the exit status: 0, or 2 for bad arguments.
    public static func replay(arguments: [String]) -> Int32 {
        guard let name = arguments.first, let target = Target(rawValue: name) else {
            let names = Target.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: streamrec-fuzz \(names) FILE|DIRECTORY...\n".utf8))
            return 2
        }
        let inputs = arguments.dropFirst().flatMap(files(in:))
        for input in inputs {
            run(target, Array((try? Data(contentsOf: URL(fileURLWithPath: input))) ?? Data()))
        }
        print("\(target.rawValue): \(inputs.count) inputs, no failure")
        return 0
    }

    /// The path itself, or the regular files directly inside it, sorted.
    public static func files(in path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { "\(path)/\($0)" }
    }
}
