import Foundation

/// Reads and checks a `ModelFile` inside `init(from:)`, so each check can name the field it concerns; it throws
/// `ModelFileError`, which `JSONDecoder` passes through unchanged. Numbers are read as Double and narrowed to Float
/// after the range check, so an overflowing weight is reported as non-finite rather than as a decoding failure.
struct ModelFileReader: Decodable {
    var version: ModelVersion

    private enum Key: String, CodingKey {
        case format, version, kind, hashBits, factors, fields, hiddenUnits, bias, linear, embeddings, mlp
        case createdAt, trainedExamples, metrics
    }

    private enum MLPKey: String, CodingKey { case hidden, hiddenBias, output, outputBias }
    private enum MetricsKey: String, CodingKey { case logLoss, auc }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)

        let format = try Self.required(String.self, .format, in: c)
        guard format == ModelFile.format else {
            throw ModelFileError("'format' must be \(ModelFile.format), got \(Self.quote(format))")
        }
        let name = try Self.required(String.self, .version, in: c)
        guard ModelVersion.isValidName(name) else {
            throw ModelFileError("version must be 1–128 characters of [A-Za-z0-9._-], got \(Self.quote(name))")
        }
        let kindName = try Self.required(String.self, .kind, in: c)
        guard let kind = RankingModel.Kind(rawValue: kindName) else {
            throw ModelFileError("kind must be fm or deepfm, got \(Self.quote(kindName))")
        }
        let hashBits = try Self.integer(.hashBits, in: c)
        let k = try Self.integer(.factors, in: c)
        let fields = try Self.integer(.fields, in: c)
        let hidden = try Self.integer(.hiddenUnits, in: c)
        if let problem = RankingModel.shapeProblem(
            kind: kind, hashBits: hashBits, factorCount: k, fieldCount: fields, hiddenUnits: hidden)
        {
            throw ModelFileError(problem)
        }
        let buckets = 1 << hashBits

        // Everything is checked before the model is built: a bad file costs no 2^hashBits allocation.
        let bias = try Self.weight(Self.required(Double?.self, .bias, in: c), "bias")
        var linear: [(Int, Float)] = []
        for (key, value) in try Self.required([String: Double?].self, .linear, in: c) {
            let bucket = try Self.bucket(key, buckets: buckets)
            linear.append((bucket, try Self.weight(value, "linear[\"\(key)\"]")))
        }
        var embeddings: [(Int, [Float])] = []
        for (key, values) in try Self.required([String: [Double?]].self, .embeddings, in: c) {
            let bucket = try Self.bucket(key, buckets: buckets)
            guard values.count == k else {
                throw ModelFileError("embeddings[\"\(key)\"] has \(values.count) values, expected factors = \(k)")
            }
            embeddings.append((bucket, try Self.weights(values, "embeddings[\"\(key)\"]")))
        }
        let mlp = try Self.mlp(c, kind: kind, inputs: fields * k, hidden: hidden)

        let createdAt = Int64(try Self.integer(.createdAt, in: c))
        guard createdAt >= 0 else { throw ModelFileError("createdAt must be epoch milliseconds ≥ 0, got \(createdAt)") }
        let trainedExamples = try Self.integer(.trainedExamples, in: c)
        guard trainedExamples >= 0 else {
            throw ModelFileError("trainedExamples must be ≥ 0, got \(trainedExamples)")
        }
        var logLoss: Double?
        var auc: Double?
        if c.contains(.metrics), try !c.decodeNil(forKey: .metrics) {
            let m = try c.nestedContainer(keyedBy: MetricsKey.self, forKey: .metrics)
            logLoss = try m.decodeIfPresent(Double.self, forKey: .logLoss)
            auc = try m.decodeIfPresent(Double.self, forKey: .auc)
            if let logLoss, !(logLoss.isFinite && logLoss >= 0) {
                throw ModelFileError("metrics.logLoss must be a number ≥ 0, got \(logLoss)")
            }
            if let auc, !(0...1).contains(auc) { throw ModelFileError("metrics.auc must be in 0...1, got \(auc)") }
        }

        var model = RankingModel(
            kind: kind, hashBits: hashBits, factorCount: k, fieldCount: fields, hiddenUnits: hidden)
        model.bias = bias
        for (bucket, weight) in linear { model.linear[bucket] = weight }
        for (bucket, values) in embeddings {
            model.embeddings.replaceSubrange(bucket * k..<(bucket + 1) * k, with: values)
        }
        if let mlp {
            model.hiddenWeights = mlp.hidden
            model.hiddenBias = mlp.hiddenBias
            model.outputWeights = mlp.output
            model.outputBias = mlp.outputBias
        }
        version = ModelVersion(
            version: name, model: model, createdAt: createdAt, trainedExamples: trainedExamples, logLoss: logLoss,
            auc: auc)
    }

    private struct MLP {
        var hidden: [Float]
        var hiddenBias: [Float]
        var output: [Float]
        var outputBias: Float
    }

    private static func mlp(_ c: KeyedDecodingContainer<Key>, kind: RankingModel.Kind, inputs: Int, hidden: Int)
        throws -> MLP?
    {
        let absent = try !c.contains(.mlp) || c.decodeNil(forKey: .mlp)
        switch (kind, absent) {
        case (.fm, true): return nil
        case (.fm, false): throw ModelFileError("mlp must be null for kind fm")
        case (.deepFM, true): throw ModelFileError("missing field 'mlp' (required for kind deepfm)")
        case (.deepFM, false): break
        }
        let m = try c.nestedContainer(keyedBy: MLPKey.self, forKey: .mlp)
        func field<T: Decodable>(_ type: T.Type, _ key: MLPKey) throws -> T {
            guard m.contains(key) else { throw ModelFileError("missing field 'mlp.\(key.rawValue)'") }
            return try m.decode(type, forKey: key)
        }
        let rows = try field([[Double?]].self, .hidden)
        guard rows.count == hidden else {
            throw ModelFileError("mlp.hidden has \(rows.count) rows, expected hiddenUnits = \(hidden)")
        }
        var hiddenWeights: [Float] = []
        hiddenWeights.reserveCapacity(hidden * inputs)
        for (unit, row) in rows.enumerated() {
            guard row.count == inputs else {
                throw ModelFileError(
                    "mlp.hidden[\(unit)] has \(row.count) weights, expected fields × factors = \(inputs)")
            }
            hiddenWeights += try weights(row, "mlp.hidden[\(unit)]")
        }
        let hiddenBias = try field([Double?].self, .hiddenBias)
        guard hiddenBias.count == hidden else {
            throw ModelFileError("mlp.hiddenBias has \(hiddenBias.count) values, expected hiddenUnits = \(hidden)")
        }
        let output = try field([Double?].self, .output)
        guard output.count == hidden else {
            throw ModelFileError("mlp.output has \(output.count) values, expected hiddenUnits = \(hidden)")
        }
        return MLP(
            hidden: hiddenWeights, hiddenBias: try Self.weights(hiddenBias, "mlp.hiddenBias"),
            output: try Self.weights(output, "mlp.output"),
            outputBias: try weight(field(Double?.self, .outputBias), "mlp.outputBias"))
    }

    private static func required<T: Decodable>(_ type: T.Type, _ key: Key, in c: KeyedDecodingContainer<Key>) throws
        -> T
    {
        guard c.contains(key) else { throw ModelFileError("missing field '\(key.rawValue)'") }
        return try c.decode(type, forKey: key)
    }

    /// An integer field. Read as a Double and checked here, because Foundation reports a fraction or a huge value in
    /// an Int field as "not valid JSON" without naming the field.
    private static func integer(_ key: Key, in c: KeyedDecodingContainer<Key>) throws -> Int {
        let value = try required(Double.self, key, in: c)
        guard value == value.rounded(), abs(value) <= 0x1p53 else {
            throw ModelFileError("\(key.rawValue) must be an integer, got \(value)")
        }
        return Int(value)
    }

    /// A bucket key: a decimal index without sign or leading zeros (so no two keys name one bucket), in range.
    private static func bucket(_ key: String, buckets: Int) throws(ModelFileError) -> Int {
        guard let bucket = Int(key), String(bucket) == key, bucket >= 0 else {
            throw ModelFileError("bucket key \(quote(key)) is not a bucket index (a decimal integer)")
        }
        guard bucket < buckets else { throw ModelFileError("bucket \(bucket) is outside 0..<\(buckets)") }
        return bucket
    }

    private static func weight(_ value: Double?, _ place: String) throws(ModelFileError) -> Float {
        guard let value, case let narrowed = Float(value), narrowed.isFinite else {
            throw ModelFileError("non-finite weight in \(place)")
        }
        return narrowed
    }

    private static func weights(_ values: [Double?], _ place: String) throws(ModelFileError) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for (i, value) in values.enumerated() { result.append(try weight(value, "\(place)[\(i)]")) }
        return result
    }

    /// An untrusted string shortened and quoted for a message.
    static func quote(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)).debugDescription + "…" : text.debugDescription
    }

    /// A Foundation decoding error as a `ModelFileError` that names the field.
    static func describe(_ error: DecodingError, bytes: [UInt8]) -> ModelFileError {
        // JSONDecoder says only "not valid JSON"; JSONSerialization, run again on this rare path, says where and why
        // ("Invalid value around character 5.", "Number 1e400 is not representable in Swift.").
        var syntaxProblem: String? {
            do {
                _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                return nil
            } catch {
                return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            }
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return ModelFileError("not JSON (\(syntaxProblem ?? context.debugDescription))")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return ModelFileError("not a JSON object")
        case .typeMismatch(let type, let context):
            return ModelFileError("\(path(context.codingPath)) has the wrong type, expected \(expected(type))")
        case .valueNotFound(let type, let context):
            return ModelFileError("\(path(context.codingPath)) is null, expected \(expected(type))")
        case .keyNotFound(let key, let context):
            return ModelFileError("missing field '\(path(context.codingPath + [key]))'")
        case .dataCorrupted(let context):
            return ModelFileError("\(path(context.codingPath)): \(context.debugDescription)")
        @unknown default:
            return ModelFileError("\(error)")
        }
    }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "\(type)"
        }
    }

    /// `embeddings["123"][3]`, `mlp.hidden[2]`: the form the messages use.
    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for (depth, key) in keys.enumerated() {
            if depth == 1, ["linear", "embeddings"].contains(keys[0].stringValue) {
                text += "[\(quote(key.stringValue))]"
            } else if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += depth == 0 ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
