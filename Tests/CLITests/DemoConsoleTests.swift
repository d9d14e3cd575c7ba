import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `streamrec demo` serves the web console and the `/v1` API on its HTTP port, and suggests its watched users.
@Suite("streamrec demo's console", .serialized)
struct DemoConsoleTests {
    @Test func theDemoServesTheConsoleAndTheAPIForItsUsers() async throws {
        let port = try freePort()
        let demo = Process()
        demo.executableURL = try streamrecExecutable()
        demo.arguments = [
            "demo", "--duration", "0", "--plain", "--rate", "200", "--watch", "2", "--http-host", "127.0.0.1",
            "--http-port", String(port),
        ]
        let output = Pipe()
        demo.standardOutput = output
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        // Drained while the demo runs, so its live view cannot fill the pipe and block it.
        let printed = Captured()
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { printed.data = output.fileHandleForReading.readDataToEndOfFile() }
        defer {
            if demo.isRunning { demo.terminate() }
            demo.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        // The watched users appear once they got lists; until then /console/info answers with none.
        // 200 events/s and a generous budget: on a loaded CI machine this debug-built demo shares two cores with the
        // other suites, and at 1 000 events/s it fell behind far enough for the embedded broker's retention to drop
        // input it had not read. The budget is in polls (1 200, four minutes when the test runs), not in wall time:
        // the synchronous suites can hold every thread of the cooperative pool for minutes, and this test must not
        // spend its deadline while it cannot run (seen: a 240 s wall deadline ran out while starved, the demo fine).
        // The loop ends as soon as the users are there.
        var users: [String] = []
        var polls = 0
        while users.isEmpty, demo.isRunning, polls < 1_200 {
            polls += 1
            if let info = try? await get("\(base)/console/info"), info.status == 200,
                let json = try JSONSerialization.jsonObject(with: info.body) as? [String: Any]
            {
                users = json["suggestedUsers"] as? [String] ?? []
            }
            if users.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        let user = try #require(
            users.first, "the demo suggested no user within \(polls) polls (running: \(demo.isRunning))")
        let page = try await get("\(base)/")
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("<title>StreamRec console</title>"))
        let app = try await get("\(base)/console/app.js")
        #expect(app.status == 200)
        #expect(String(decoding: app.body, as: UTF8.self).contains(#"import user from "./user.js";"#))
        let module = try await get("\(base)/console/user.js")
        #expect(module.status == 200 && String(decoding: module.body, as: UTF8.self).contains("EventSource"))
        let feed = try await get("\(base)/v1/users/\(user)/recommendations")
        #expect(feed.status == 200, "the demo's user \(user) has no feed")
        let list = try JSONSerialization.jsonObject(with: feed.body) as? [String: Any]
        #expect(list?["userId"] as? String == user)
        let noReport = try await get("\(base)/console/evaluation.json")
        #expect(noReport.status == 404)
        demo.interrupt()
        demo.waitUntilExit()
        #expect(demo.terminationStatus == 0)
        await withCheckedContinuation { done in reader.notify(queue: .global()) { done.resume() } }
        #expect(printed.text.contains("Console: http://127.0.0.1:\(port)/"))
    }

    @Test func twoReportsOfOneKindAreRefusedAtStart() throws {
        let result = try runStreamrec([
            "run", "--http-port", "0", "--evaluation-report", "a.json", "--evaluation-report", "b.json",
        ])
        #expect(result.status != 0)
        #expect(result.err.contains("give at most one JSON report"))
    }

    private func get(_ url: String) async throws -> (status: Int, body: Data) {
        let (body, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
    }
}

/// A TCP port nothing listens on now, for a child process to bind. Taken below the kernel's ephemeral range
/// (32768–60999): a port the kernel picked for port 0 is handed out again to the next process that binds port 0 —
/// in a full test run another suite's server took it before the demo bound it, and the test asked that server.
func freePort() throws -> Int {
    let start = Int.random(in: 20_000..<31_000)
    for port in (start..<32_000) where canBind(port) { return port }
    throw POSIXError(.EADDRINUSE)
}

private func canBind(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
