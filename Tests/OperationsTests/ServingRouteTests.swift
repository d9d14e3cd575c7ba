import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Operations
import Recommender
import Serving
import Testing

/// The `/v1` routes of the API port, driven through the router with no socket: each answer is compared with what the
/// serving view, the item table, the registry and the directory hold.
@Suite struct ServingRouteTests {
    @Test func everyPathOfTheOpenAPIDocumentIsARouteOfTheAPIPort() throws {
        let document = try String(contentsOf: repositoryFile("docs/openapi.yaml"), encoding: .utf8)
        // A path is a key of `paths:`, two spaces in, written as the router writes it: `/v1/items/{itemId}/similar`.
        let documented = document.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  /"), line.hasSuffix(":") else { return nil }
            return String(line.dropFirst(2).dropLast())
        }
        let served = try ServedWorker()
        let routes = served.router().routes.filter { $0.method == .get }.map(\.path.description)
        #expect(documented.contains("/v1/users/{userId}/recommendations"))
        #expect(Set(documented).subtracting(routes).isEmpty, "documented paths without a route")
        #expect(
            Set(routes.filter { $0.hasPrefix("/v1/") }).subtracting(documented).isEmpty, "undocumented /v1 routes")
    }

    @Test(arguments: [Surface.personalized, .cart, .topics, .creators])
    func aUsersListOfEachSurfaceIsTheListTheTaskProduced(surface: Surface) async throws {
        let served = try ServedWorker()
        let kept = try #require(served.results(of: served.user)?.lists[surface], "the pipeline sent no \(surface) list")
        let query = surface == .personalized ? "" : "?surface=\(surface.rawValue)"
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/users/\(served.user)/recommendations\(query)", method: .get) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType] == "application/json")
                #expect(listID($0) == kept.id)
                #expect(Array(buffer: $0.body) == kept.json)
                let list = try decode(ListBody.self, $0)
                #expect(list.userId == served.user && list.surface == surface.rawValue)
            }
        }
    }

    @Test func nCutsTheListToItsFirstEntries() async throws {
        let served = try ServedWorker()
        let kept = try #require(served.results(of: served.user)?.lists[.personalized])
        let entries = try JSONDecoder().decode(ListBody.self, from: Data(kept.json)).items
        try #require(entries.count > 2, "the fixture's feed has \(entries.count) entries")
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/users/\(served.user)/recommendations?n=2", method: .get) {
                #expect($0.status == .ok)
                let list = try decode(ListBody.self, $0)
                #expect(list.items == Array(entries.prefix(2)))
            }
        }
    }

    @Test func aUsersFeaturesAreTheLastClosedWindows() async throws {
        let served = try ServedWorker()
        let features = try #require(served.results(of: served.user)?.features, "the user's window did not close")
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/users/\(served.user)/features", method: .get) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType] == "application/json")
                #expect(Array(buffer: $0.body) == features)
                let window = try decode(WindowBody.self, $0)
                #expect(window.userId == served.user && window.events == 2)
            }
        }
    }

    @Test func anItemsSimilarItemsAndFeaturesAreItsItemTableRow() async throws {
        let served = try ServedWorker()
        let row = try #require(served.itemTable.read { $0.stats(of: "i1") })
        try #require(row.neighbours.count >= 2, "i1 has \(row.neighbours.count) neighbours")
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/items/i1/similar?n=1", method: .get) {
                #expect($0.status == .ok)
                let list = try decode(ListBody.self, $0)
                #expect(list.surface == "similar")
                #expect(list.items.map(\.itemId) == [row.neighbours[0].itemId])
            }
            try await client.execute(uri: "/v1/items/i1/features", method: .get) {
                #expect($0.status == .ok)
                let features = try decode(ItemBody.self, $0)
                #expect(features.itemId == "i1" && features.categoryId == row.categoryId)
                #expect(features.score == row.score && features.updatedAt == row.updatedAt)
                #expect(features.neighbours.map(\.itemId) == row.neighbours.map(\.itemId))
                // The JSON writes numbers to 6 decimals.
                let scores = zip(features.neighbours.compactMap(\.score), row.neighbours.map(\.similarity))
                #expect(scores.allSatisfy { abs($0 - $1) <= 1e-6 })
            }
            try await client.execute(uri: "/v1/items/nothing-like-it/similar", method: .get) {
                try expectError($0, .notFound, containing: "unknown item 'nothing-like-it'")
            }
        }
    }

    @Test func modelsAndInstancesAreWhatTheRegistryAndTheDirectoryHold() async throws {
        let served = try ServedWorker()
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get) {
                #expect($0.status == .ok)
                let models = try decode(ModelsBody.self, $0)
                #expect(models.active == served.registry.selection.active?.version)
                #expect(models.active == ServedWorker.modelName && models.canary == nil && models.pinned)
                #expect(models.versions.map(\.version) == served.registry.versionNames)
                #expect(models.versions.first?.trainedExamples == 42)
            }
            try await client.execute(uri: "/v1/instances", method: .get) {
                #expect($0.status == .ok)
                let instances = try decode([InstanceAnnouncement].self, $0)
                #expect(instances == served.directory.instances)
            }
        }
    }

    @Test func aUserOfAPartitionAnotherInstanceServesIsRedirectedToIt() async throws {
        let served = try ServedWorker()
        let owner = "http://\(ServedWorker.otherInstance)"
        let path = "/v1/users/\(served.elsewhereUser)/recommendations"
        try await served.application().test(.router) { client in
            try await client.execute(uri: path, method: .get) {
                #expect($0.status == .temporaryRedirect)
                #expect($0.headers[.location] == "\(owner)\(path)?redirected=1")
                try expectError($0, .temporaryRedirect, containing: ServedWorker.otherInstance)
            }
            try await client.execute(uri: "\(path)?surface=cart&n=3", method: .get) {
                #expect($0.headers[.location] == "\(owner)\(path)?surface=cart&n=3&redirected=1")
            }
            // The owner it was sent to does not serve the user either: the partition is moving, not redirected again.
            try await client.execute(uri: "\(path)?redirected=1", method: .get) {
                try expectError($0, .serviceUnavailable, containing: "(it is moving)")
                #expect($0.headers[.retryAfter] == "1")
            }
            try await client.execute(uri: "/v1/users/\(served.restoringUser)/features", method: .get) {
                try expectError($0, .serviceUnavailable, containing: "is being restored here")
                #expect($0.headers[.retryAfter] == "1")
            }
        }
    }

    @Test func aUserWhosePartitionMovedHereGetsAFeedComputedFromTheTasksState() async throws {
        let served = try ServedWorker()
        let partition = served.serving.partition(ofUser: served.user)
        // Assigned again: what the view kept belongs to the earlier assignment; the task's state is still there.
        served.serving.revoked([partition])
        served.serving.ready([partition])
        #expect(served.results(of: served.user) == nil)
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/users/\(served.user)/recommendations", method: .get) {
                #expect($0.status == .ok)
                let kept = served.results(of: served.user)?.lists[.personalized]
                #expect(kept?.id.hasPrefix("computed:\(served.user):") == true)
                #expect(listID($0) == kept?.id)
                #expect(Array(buffer: $0.body) == kept?.json)
                let list = try decode(ListBody.self, $0)
                #expect(list.userId == served.user)
            }
            try await client.execute(uri: "/v1/users/\(served.user)/recommendations?surface=cart", method: .get) {
                try expectError($0, .notFound, containing: "since this instance took over")
            }
            try await client.execute(uri: "/v1/users/\(served.user)/features", method: .get) {
                try expectError($0, .notFound, containing: "no closed window of user '\(served.user)'")
            }
        }
    }

    @Test func badParametersAre400AndAnUnknownUserIs404() async throws {
        let served = try ServedWorker()
        let feed = "/v1/users/\(served.user)/recommendations"
        try await served.application().test(.router) { client in
            for (query, message) in [
                ("?surface=similar", "surface must be one of personalized, cart, topics, creators, got 'similar'"),
                ("?n=0", "n must be an integer from 1 to 100, got '0'"),
                ("?n=ten", "n must be an integer from 1 to 100, got 'ten'"),
            ] {
                try await client.execute(uri: feed + query, method: .get) {
                    try expectError($0, .badRequest, containing: message)
                }
            }
            let tooLong = String(repeating: "u", count: BehaviorEvent.maxIdBytes + 1)
            try await client.execute(uri: "/v1/users/\(tooLong)/features", method: .get) {
                try expectError($0, .badRequest, containing: "userId must be 1 to \(BehaviorEvent.maxIdBytes) bytes")
            }
            try await client.execute(uri: "/v1/items/i1/similar?n=101", method: .get) {
                try expectError($0, .badRequest, containing: "n must be an integer from 1 to 100")
            }
            try await client.execute(uri: "/v1/users/\(served.stranger)/recommendations", method: .get) {
                try expectError($0, .notFound, containing: "unknown user '\(served.stranger)'")
            }
            try await client.execute(uri: "/v1/users/\(served.stranger)/recommendations/stream", method: .get) {
                try expectError($0, .notFound, containing: "unknown user '\(served.stranger)'")
            }
        }
    }
}

/// `X-StreamRec-Id`: a list's `streamrec-id`, the same as on the topic.
func listID(_ response: TestResponse) -> String? { response.headers[.init("X-StreamRec-Id")!] }

/// The parts of a recommendation list the tests compare.
struct ListBody: Decodable {
    var surface: String
    var userId: String?
    var items: [Entry]

    /// An item's entry (`topics` lists name categories instead).
    struct Entry: Decodable, Equatable {
        var itemId: String?
        var score: Double?
    }
}

struct WindowBody: Decodable {
    var userId: String
    var events: Int
}

struct ItemBody: Decodable {
    var itemId: String
    var categoryId: String?
    var score: Double
    var updatedAt: Int64
    var neighbours: [ListBody.Entry]
}

struct ModelsBody: Decodable {
    var active: String?
    var canary: String?
    var pinned: Bool
    var versions: [Version]

    struct Version: Decodable {
        var version: String
        var trainedExamples: Int
    }
}

/// Every answer other than 2xx: `{"error": …, "status": …}`, as JSON.
struct ErrorBody: Decodable {
    var error: String
    var status: Int
}

func decode<Body: Decodable>(_ type: Body.Type, _ response: TestResponse) throws -> Body {
    try JSONDecoder().decode(type, from: Data(Array(buffer: response.body)))
}

func expectError(
    _ response: TestResponse, _ status: HTTPResponse.Status, containing message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    let body = try decode(ErrorBody.self, response)
    #expect(body.status == Int(status.code), sourceLocation: sourceLocation)
    #expect(body.error.contains(message), "\(body.error)", sourceLocation: sourceLocation)
}

/// A file of the source tree, from this file's place in it.
func repositoryFile(_ path: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(path)
}
