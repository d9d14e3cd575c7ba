import Evaluation
import Foundation
import Recommender
import Testing

/// The model file: a version read back scores exactly as written, and anything malformed is refused with a message
/// that says what to fix — never a crash.
@Suite struct ModelFileTests {
    static func trainedVersion(kind: RankingModel.Kind, hashBits: Int = 10, k: Int = 4) -> ModelVersion {
        var trainer = OnlineTrainer(
            model: RankingModel(kind: kind, hashBits: hashBits, factorCount: k, fieldCount: 3, hiddenUnits: 3))
        var random = SeededRandom(seed: 7)
        for _ in 0..<300 {
            let features = (0..<4).map { _ in
                Feature(field: random.below(3), index: random.below(40), value: random.below(4) == 0 ? 0.5 : 1)
            }
            trainer.train(features, clicked: random.below(4) == 0)
        }
        return ModelVersion(
            version: "fm-20261129-0001", model: trainer.model, createdAt: 1_732_406_400_000,
            trainedExamples: trainer.examplesSeen, logLoss: 0.41, auc: 0.73)
    }

    @Test(arguments: [RankingModel.Kind.fm, .deepFM])
    func roundTripKeepsEveryScore(kind: RankingModel.Kind) throws {
        let original = Self.trainedVersion(kind: kind)
        let bytes = ModelFile.encode(original)
        let decoded = try ModelFile.decode(bytes)
        #expect(decoded.version == original.version && decoded.createdAt == original.createdAt)
        #expect(decoded.trainedExamples == 300 && decoded.logLoss == 0.41 && decoded.auc == 0.73)
        #expect(decoded.model.kind == kind && decoded.model.hashBits == 10 && decoded.model.factorCount == 4)
        var random = SeededRandom(seed: 8)
        for _ in 0..<200 {
            // Trained buckets (below 40) and untouched ones, whose embeddings the reader re-creates.
            let features = (0..<8).map { _ in
                Feature(field: random.below(3), index: random.below(1024), value: Float(random.unit() * 4 - 2))
            }
            #expect(decoded.model.logit(features).bitPattern == original.model.logit(features).bitPattern)
        }
        #expect(ModelFile.encode(decoded) == bytes)  // read and written again: the same bytes
    }

    @Test func fileIsSparse() throws {
        let bytes = ModelFile.encode(Self.trainedVersion(kind: .fm, hashBits: 16, k: 8))
        #expect(bytes.count < 20_000)  // 40 trained buckets of 65,536
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((json["linear"] as? [String: Any])?.count ?? 0 <= 40)
        #expect((json["embeddings"] as? [String: Any])?.count == 40)
        #expect(json["format"] as? String == "streamrec-model/1")
        #expect(json["mlp"] is NSNull)
    }

    static let valid = """
        {"format":"streamrec-model/1","version":"fm-1","kind":"fm","hashBits":16,"factors":2,"fields":12,\
        "hiddenUnits":0,"bias":-1.2,"linear":{"123":0.5,"77":-0.1},"embeddings":{"123":[0.01,0.02]},"mlp":null,\
        "createdAt":1732406400000,"trainedExamples":12000,"metrics":{"logLoss":0.41,"auc":0.73}}
        """

    static let validDeep = """
        {"format":"streamrec-model/1","version":"d-1","kind":"deepfm","hashBits":8,"factors":1,"fields":2,\
        "hiddenUnits":2,"bias":0,"linear":{},"embeddings":{},"mlp":{"hidden":[[1,2],[3,4]],"hiddenBias":[0,0],\
        "output":[1,-1],"outputBias":0.5},"createdAt":0,"trainedExamples":0}
        """

    @Test func validFilesAreAccepted() throws {
        let fm = try ModelFile.decode(Array(Self.valid.utf8))
        #expect(fm.model.bias == -1.2 && fm.model.linear[123] == 0.5 && fm.model.linear[77] == -0.1)
        #expect(fm.model.embeddings[246] == 0.01 && fm.model.embeddings[247] == 0.02)
        let deep = try ModelFile.decode(Array(Self.validDeep.utf8))
        #expect(deep.model.hiddenWeights == [1, 2, 3, 4] && deep.model.outputBias == 0.5 && deep.auc == nil)
    }

    static func replacing(_ old: String, with new: String, in text: String = valid) -> String {
        precondition(text.contains(old), "test case does not apply: \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }

    static let malformed: [(file: String, message: String)] = [
        ("{\"format\":", "model file: not JSON (Unexpected end of file during JSON parse.)"),
        ("[1,2]", "model file: not a JSON object"),
        (
            replacing("streamrec-model/1", with: "streamrec-model/2"),
            "model file: 'format' must be streamrec-model/1, got \"streamrec-model/2\""
        ),
        (replacing(#""hashBits":16"#, with: #""hashBits":40"#), "model file: hashBits must be in 8...24, got 40"),
        (
            replacing("[0.01,0.02]", with: "[0.01,0.02,0.03,0.04]"),
            "model file: embeddings[\"123\"] has 4 values, expected factors = 2"
        ),
        (replacing(#""77":"#, with: #""70000":"#), "model file: bucket 70000 is outside 0..<65536"),
        (
            replacing(#""77":"#, with: #""077":"#),
            "model file: bucket key \"077\" is not a bucket index (a decimal integer)"
        ),
        (replacing("-0.1", with: "1e39"), "model file: non-finite weight in linear[\"77\"]"),
        (replacing("-0.1", with: "null"), "model file: non-finite weight in linear[\"77\"]"),
        (
            replacing("0.02]", with: "\"x\"]"),
            "model file: embeddings[\"123\"][1] has the wrong type, expected a number"
        ),
        (
            replacing(#""fm-1""#, with: #""fm 1""#),
            "model file: version must be 1–128 characters of [A-Za-z0-9._-], got \"fm 1\""
        ),
        (replacing(#""kind":"fm""#, with: #""kind":"gbdt""#), "model file: kind must be fm or deepfm, got \"gbdt\""),
        (replacing(#""bias":-1.2,"#, with: ""), "model file: missing field 'bias'"),
        (replacing(#""factors":2"#, with: #""factors":2.5"#), "model file: factors must be an integer, got 2.5"),
        (
            replacing(#""fields":12"#, with: #""fields":"12""#),
            "model file: fields has the wrong type, expected a number"
        ),
        (replacing(#""mlp":null"#, with: #""mlp":{}"#), "model file: mlp must be null for kind fm"),
        (
            replacing(#""hashBits":16,"factors":2"#, with: #""hashBits":24,"factors":64"#),
            "model file: 2^hashBits × factors must be at most 16777216 (64 MiB of embeddings), got 2^24 × 64"
        ),
        (replacing(#""auc":0.73"#, with: #""auc":1.5"#), "model file: metrics.auc must be in 0...1, got 1.5"),
        (
            replacing(#""createdAt":1732406400000"#, with: #""createdAt":-1"#),
            "model file: createdAt must be epoch milliseconds ≥ 0, got -1"
        ),
        (
            replacing("[[1,2],[3,4]]", with: "[[1,2]]", in: validDeep),
            "model file: mlp.hidden has 1 rows, expected hiddenUnits = 2"
        ),
        (
            replacing("[3,4]", with: "[3,4,5]", in: validDeep),
            "model file: mlp.hidden[1] has 3 weights, expected fields × factors = 2"
        ),
        (replacing(#""output":[1,-1],"#, with: "", in: validDeep), "model file: missing field 'mlp.output'"),
        (
            replacing(#""mlp":{"#, with: #""mlpx":{"#, in: validDeep),
            "model file: missing field 'mlp' (required for kind deepfm)"
        ),
        (
            replacing(#""hiddenUnits":2"#, with: #""hiddenUnits":300"#, in: validDeep),
            "model file: hiddenUnits must be in 1...256 for kind deepfm, got 300"
        ),
    ]

    @Test(arguments: malformed)
    func malformedFileIsRejectedWithItsReason(file: String, message: String) {
        #expect {
            _ = try ModelFile.decode(Array(file.utf8))
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func oversizedFileIsRejectedBeforeParsing() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: ModelFile.maxBytes + 1)
        #expect(throws: ModelFileError("\(bytes.count) bytes is over the limit of 67108864 (64 MiB)")) {
            try ModelFile.decode(bytes)
        }
    }

    @Test func everyTruncationIsRejected() throws {
        let bytes = ModelFile.encode(Self.trainedVersion(kind: .deepFM, hashBits: 8, k: 2))
        _ = try ModelFile.decode(bytes)
        for length in 0..<bytes.count {
            #expect(throws: ModelFileError.self) { try ModelFile.decode(Array(bytes[..<length])) }
        }
    }

    /// A first fuzzing pass: single-byte changes of a valid file are either read or refused, never a crash.
    @Test func changedBytesNeverCrash() {
        let bytes = Array(Self.validDeep.utf8)
        var random = SeededRandom(seed: 9)
        let interesting = Array(#"{}[]",:0123456789-.eE naxtul\"#.utf8) + [0, 0xff]
        var (decoded, refused) = (0, 0)
        for _ in 0..<3_000 {
            var changed = bytes
            changed[random.below(changed.count)] = interesting[random.below(interesting.count)]
            do throws(ModelFileError) {
                // Decoded: a model that ranks (a finite logit) and survives its own round trip.
                let version = try ModelFile.decode(changed)
                let logit = version.model.logit([Feature(field: 0, index: 1), Feature(field: 1, index: 2, value: 3)])
                #expect(logit.isFinite, "a decoded model must rank: \(String(decoding: changed, as: UTF8.self))")
                let encoded = ModelFile.encode(version)
                #expect(try ModelFile.encode(ModelFile.decode(encoded)) == encoded)
                decoded += 1
            } catch {
                // Or the typed error, saying what is wrong.
                #expect(!error.message.isEmpty)
                refused += 1
            }
        }
        // Both outcomes occur: changed digits still decode, changed syntax does not.
        #expect(decoded > 0)
        #expect(refused > 0)
        #expect(decoded + refused == 3_000)
    }
}
