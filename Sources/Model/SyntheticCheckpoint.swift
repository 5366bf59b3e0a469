import Foundation

extension Checkpoint {
    /// A checkpoint of architecture `vdmz-resnet-1` with pseudo-random weights (every layer non-zero) and
    /// a near-linear γ from −13.3 to 5: for benchmarks and tests that need a model of a given size.
    /// It is not trained; its ELBO is meaningless.
    public static func synthetic(
        channels: Int, blocks: Int, learnedVariance: Bool = false, fourierExponents: [Int] = [6, 7], seed: UInt64 = 1
    ) throws -> Checkpoint {
        let metadataObject: [String: Any] = [
            "format": "vdmz-checkpoint", "version": 1, "architecture": "vdmz-resnet-1", "channels": channels,
            "blocks": blocks, "fourier_n": fourierExponents, "learned_variance": learnedVariance, "coding_steps": 16,
            "training": ["note": "synthetic random weights (Checkpoint.synthetic)"], "evaluation": [:] as [String: Any],
        ]
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: metadataObject, options: [.sortedKeys]), as: UTF8.self)
        let metadata = try CheckpointMetadata(json: json, path: "synthetic")
        var state = seed
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        var tensors: [(String, [Int], [Float])] = []
        for (name, shape) in expectedShapes(metadata) {
            let count = shape.reduce(1, *)
            let fanIn = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
            let bound = 1 / Float(fanIn).squareRoot()
            var values = (0..<count).map { _ in (2 * uniform() - 1) * bound }
            switch name {
            case "gamma.l1.weight": values = [1]
            case "gamma.l1.bias", "gamma.l3.bias": values = [0]
            case "gamma.l2.weight": values = values.map { 1 + 11 * abs($0) }
            case "gamma.l3.weight": values = values.map { _ in 1e-4 }
            case "gamma.gamma0": values = [-13.3]
            case "gamma.gamma1": values = [5]
            default: break
            }
            tensors.append((name, shape, values))
        }
        let data = try SafeTensorsFile.serialize(tensors: tensors, metadata: ["vdmz": json])
        return try Checkpoint(file: SafeTensorsFile(data: data, path: "synthetic"), url: URL(fileURLWithPath: "/synthetic"))
    }
}

extension SafeTensorsFile {
    /// Serialises float32 tensors (name, shape, row-major values) and string metadata as safetensors bytes.
    public static func serialize(tensors: [(String, [Int], [Float])], metadata: [String: String]) throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        var body = Data()
        for (name, shape, values) in tensors {
            precondition(shape.reduce(1, *) == values.count)
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * values.count]]
            values.withUnsafeBytes { body.append(contentsOf: $0) }
            offset += 4 * values.count
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data()
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(headerBytes)
        data.append(body)
        return data
    }
}
