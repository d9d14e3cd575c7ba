import Foundation
import Synchronization

/// Which versions rank: the active one for everybody, and optionally a canary for a share of users.
public struct ModelControl: Sendable, Equatable {
    public var active: String?
    public var canary: String?
    /// Share of users (stable by userId hash) ranked by the canary, 0...1.
    public var canaryShare = 0.0
    /// Set by an operator's `activate` or `rollback`: the trainer then publishes without activating.
    public var pinned = false
    /// Versions activated, newest first (bounded); `rollback` goes back to the second.
    public var history: [String] = []

    public init() {}

    /// The control record's key in `recsys-models` (never a valid version name, which has no '@').
    public static let key = "@control"
    public static let maxHistory = 10

    public func encodeJSON() -> [UInt8] {
        var object: [String: Any] = ["canaryShare": canaryShare, "pinned": pinned, "history": history]
        object["active"] = active ?? NSNull()
        object["canary"] = canary ?? NSNull()
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> ModelControl {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ModelFileError("control record: not a JSON object")
        }
        var control = ModelControl()
        control.active = object["active"] as? String
        control.canary = object["canary"] as? String
        control.canaryShare = (object["canaryShare"] as? NSNumber)?.doubleValue ?? 0
        control.pinned = (object["pinned"] as? Bool) ?? false
        control.history = Array(((object["history"] as? [String]) ?? []).prefix(maxHistory))
        guard (0...1).contains(control.canaryShare) else {
            throw ModelFileError("control record: canaryShare must be in 0...1, got \(control.canaryShare)")
        }
        return control
    }

    /// Makes `version` the active one, remembering it for rollback.
    public mutating func activate(_ version: String, pinned: Bool) {
        active = version
        history = Array(([version] + history.filter { $0 != version }).prefix(Self.maxHistory))
        self.pinned = pinned
        if canary == version { (canary, canaryShare) = (nil, 0) }
    }
}

/// What a task ranks with right now: the models behind the control record.
public struct ModelSelection: Sendable {
    public var active: ModelVersion?
    public var canary: ModelVersion?
    public var canaryShare = 0.0
    public var pinned = false

    public init() {}

    /// The version for a user: the canary for users whose hash falls in the canary share, else the active one; nil
    /// when no learned version is active (the blend ranks).
    public func version(for userId: String) -> ModelVersion? {
        if let canary, Self.bucket(of: userId) < canaryShare { return canary }
        return active
    }

    /// A stable position in 0..<1 per user (FNV-1a of the id), so a user stays in or out of a canary.
    static func bucket(of userId: String) -> Double {
        var hash = StableHash()
        hash.combine(userId)
        return hash.unitInterval
    }
}

/// The model versions of `recsys-models` (compacted; key = version, value = `ModelFile` JSON; key `@control` =
/// `ModelControl`), held by every instance. Tasks read the selection without a lock on the hot path: they compare
/// `generation` (an atomic load) with the one they last saw and take the lock only when it moved — the swap
/// happens between two records, never inside one ranking.
public final class ModelRegistry: Sendable {
    /// Versions kept besides the active, canary and rollback history: the newest ones.
    public static let maxSpareVersions = 4

    private struct State {
        var versions: [String: ModelVersion] = [:]
        var arrival: [String] = []  // oldest first
        var control = ModelControl()
        var selection = ModelSelection()
        var lastError: String?
    }

    private let state = Mutex(State())
    private let changes = Atomic<UInt64>(0)

    public init() {}

    /// Moves whenever the selection changes.
    public var generation: UInt64 { changes.load(ordering: .acquiring) }

    public var selection: ModelSelection { state.withLock { $0.selection } }
    public var control: ModelControl { state.withLock { $0.control } }
    public var versionNames: [String] { state.withLock { $0.arrival } }
    public func version(named name: String) -> ModelVersion? { state.withLock { $0.versions[name] } }
    /// The last record rejected, and why (a malformed file, a control record naming an unknown version).
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Applies one record of `recsys-models`; a bad one is rejected with the reason and changes nothing.
    @discardableResult
    public func apply(key: [UInt8]?, value: [UInt8]?) -> Result<Void, ModelFileError> {
        guard let key, let value else { return .success(()) }  // tombstones: versions are never deleted here
        let name = String(decoding: key, as: UTF8.self)
        let result: Result<Void, ModelFileError>
        if name == ModelControl.key {
            result = Result { () throws(ModelFileError) in try apply(control: ModelControl.decode(value)) }
        } else {
            result = Result { () throws(ModelFileError) in
                let version = try ModelFile.decode(value)
                guard version.version == name else {
                    throw ModelFileError("record key '\(name)' differs from the file's version '\(version.version)'")
                }
                add(version)
            }
        }
        if case .failure(let error) = result { state.withLock { $0.lastError = error.description } }
        return result
    }

    public func add(_ version: ModelVersion) {
        state.withLock { state in
            state.versions[version.version] = version
            state.arrival.removeAll { $0 == version.version }
            state.arrival.append(version.version)
            let keep = Set(state.control.history + [state.control.active, state.control.canary].compactMap { $0 })
            while state.versions.count > keep.count + Self.maxSpareVersions,
                let oldest = state.arrival.first(where: { !keep.contains($0) })
            {
                state.versions[oldest] = nil
                state.arrival.removeAll { $0 == oldest }
            }
            Self.select(&state)
        }
        changes.add(1, ordering: .releasing)
    }

    public func apply(control: ModelControl) throws(ModelFileError) {
        let error: ModelFileError? = state.withLock { state in
            for name in [control.active, control.canary].compactMap({ $0 }) where state.versions[name] == nil {
                return ModelFileError("control record names version '\(name)', which this registry does not hold")
            }
            state.control = control
            Self.select(&state)
            return nil
        }
        if let error { throw error }
        changes.add(1, ordering: .releasing)
    }

    private static func select(_ state: inout State) {
        var selection = ModelSelection()
        selection.active = state.control.active.flatMap { state.versions[$0] }
        selection.canary = state.control.canary.flatMap { state.versions[$0] }
        selection.canaryShare = selection.canary == nil ? 0 : state.control.canaryShare
        selection.pinned = state.control.pinned
        state.selection = selection
    }
}
