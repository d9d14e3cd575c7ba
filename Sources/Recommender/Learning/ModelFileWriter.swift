/// Writes a `ModelFile` by hand: Foundation's encoder would not keep the documented key order, and it is the
/// writer's job to make the same model always give the same bytes.
struct ModelFileWriter {
    var bytes: [UInt8] = []

    mutating func write(_ v: ModelVersion) {
        let model = v.model
        let k = model.factorCount
        raw(#"{"format":"#)
        string(ModelFile.format)
        raw(#","version":"#)
        string(v.version)
        raw(#","kind":"#)
        string(model.kind.rawValue)
        raw(#","hashBits":\#(model.hashBits),"factors":\#(k),"fields":\#(model.fieldCount)"#)
        raw(#","hiddenUnits":\#(model.hiddenUnits),"bias":"#)
        number(model.bias)
        raw(#","linear":{"#)
        var first = true
        for bucket in 0..<model.bucketCount where model.linear[bucket].bitPattern != 0 {
            if !first { raw(",") }
            first = false
            raw("\"\(bucket)\":")
            number(model.linear[bucket])
        }
        raw(#"},"embeddings":{"#)
        first = true
        for bucket in 0..<model.bucketCount where k > 0 && !model.embeddingIsInitial(bucket: bucket) {
            if !first { raw(",") }
            first = false
            raw("\"\(bucket)\":")
            numbers(model.embeddings[bucket * k..<(bucket + 1) * k])
        }
        raw(#"},"mlp":"#)
        if model.kind == .deepFM {
            let inputs = model.mlpInputCount
            raw(#"{"hidden":["#)
            for unit in 0..<model.hiddenUnits {
                if unit > 0 { raw(",") }
                numbers(model.hiddenWeights[unit * inputs..<(unit + 1) * inputs])
            }
            raw(#"],"hiddenBias":"#)
            numbers(model.hiddenBias[...])
            raw(#","output":"#)
            numbers(model.outputWeights[...])
            raw(#","outputBias":"#)
            number(model.outputBias)
            raw("}")
        } else {
            raw("null")
        }
        raw(#","createdAt":\#(v.createdAt),"trainedExamples":\#(v.trainedExamples),"metrics":{"logLoss":"#)
        metric(v.logLoss)
        raw(#","auc":"#)
        metric(v.auc)
        raw("}}")
    }

    private mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Float's description is the shortest decimal that reads back as the same float, and valid JSON when finite.
    private mutating func number(_ value: Float) {
        if value.isFinite { raw(value.description) } else { raw("null") }
    }

    private mutating func numbers(_ values: ArraySlice<Float>) {
        raw("[")
        var first = true
        for value in values {
            if !first { raw(",") }
            first = false
            number(value)
        }
        raw("]")
    }

    private mutating func metric(_ value: Double?) {
        if let value, value.isFinite { raw(value.description) } else { raw("null") }
    }

    /// A JSON string; escapes what JSON requires, so even a name the reader will refuse is written as valid JSON.
    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array(#"\u00"#.utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xf)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
