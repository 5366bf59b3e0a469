import ExactMath

/// The per-image time embedding of NETWORK.md step 2: u = (γ + 13.3)/18.3 (float32),
/// a_j = (1000·u)·freq_j, e = [sin a, cos a] (64 values), temb = SiLU(temb2(SiLU(temb1(e)))).
struct TimeEmbedding {
    static let half = 32
    /// freq_j = float32(exp(−ln(10000)·j/(half − 1))), computed in float64 with ExactMath, rounded once.
    static let frequencies: [Float] = (0..<half).map { j in
        Float(ExactMath.exp(-9.210_340_371_976_184 * Double(j) / Double(half - 1)))
    }
    let first: LinearLayer
    let second: LinearLayer

    init(checkpoint: Checkpoint, channels: Int) throws {
        first = try LinearLayer(checkpoint: checkpoint, name: "temb1", inputs: 2 * Self.half, outputs: 4 * channels)
        second = try LinearLayer(checkpoint: checkpoint, name: "temb2", inputs: 4 * channels, outputs: 4 * channels)
    }

    /// The sinusoidal features e(γ) (64 values; sin and cos of float32 arguments, rounded once).
    static func features(gamma: Float) -> [Float] {
        let u = (gamma + 13.3) / 18.3
        let scaled = 1000 * u
        var sines = [Float](repeating: 0, count: half), cosines = sines
        for j in stride(from: 0, to: half, by: 4) {
            let a = SIMD4<Float>(
                scaled * frequencies[j], scaled * frequencies[j + 1], scaled * frequencies[j + 2],
                scaled * frequencies[j + 3])
            let (s, c) = ExactMath.sinCos(a)
            for k in 0..<4 {
                sines[j + k] = s[k]
                cosines[j + k] = c[k]
            }
        }
        return sines + cosines
    }

    /// temb(γ), 4C values.
    func callAsFunction(gamma: Float) -> [Float] {
        silu(second.apply(silu(first.apply(Self.features(gamma: gamma)))))
    }
}
