import CLibFuzzer
import Foundation
import FuzzChecks

// Built with `-sanitize=fuzzer -D FUZZING` (`make fuzz`), libFuzzer's driver runs the entry point below; the target
// comes from STREAMREC_FUZZ_TARGET. A plain `swift build` makes the same file a replayer of inputs
// instead (`streamrec-fuzz events Fuzz/corpus/events`), so the package builds and tests as usual.

enum Selected {
    static let target: FuzzChecks.Target = {
        let name = ProcessInfo.processInfo.environment["STREAMREC_FUZZ_TARGET"] ?? ""
        guard let target = FuzzChecks.Target(rawValue: name) else {
            fatalError("set STREAMREC_FUZZ_TARGET to one of \(FuzzChecks.Target.allCases.map(\.rawValue))")
        }
        return target
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzChecks.run(Selected.target, data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main enum Main {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
        #else
            exit(FuzzChecks.replay(arguments: Array(CommandLine.arguments.dropFirst())))
        #endif
    }
}
