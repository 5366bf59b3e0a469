import ExactMath

/// The learned, monotone noise schedule γ(t) of VDM (NETWORK.md, "Noise schedule"):
/// `l1(t) = |W1|·t + b1`, `g̃(t) = l1(t) + Σ_j |W3_j|·sigmoid(|W2_j|·l1(t) + b2_j) + b3`,
/// `γ(t) = γ0 + (γ1 − γ0)·(g̃(t) − g̃(0)) / (g̃(1) − g̃(0))`.
///
/// Determinism: evaluated in float64 with `ExactMath.sigmoid`, the sum over j in increasing order with
/// one FMA per term, so every machine gets the same bits. γ(0) = γ0 and γ(1) = γ1 up to one rounding.
public struct NoiseSchedule {
    let w1: Double, b1: Double, w2: [Double], b2: [Double], w3: [Double], b3: Double
    /// γ(0) and γ(1), the learned endpoints.
    public let gamma0: Double, gamma1: Double
    private var tildeAtZero: Double, tildeAtOne: Double

    /// Reads the `gamma.*` tensors of `checkpoint`.
    public init(checkpoint: Checkpoint) throws {
        func values(_ name: String) throws -> [Double] { try checkpoint.tensor(name).map(Double.init) }
        w1 = abs(try values("gamma.l1.weight")[0])
        b1 = try values("gamma.l1.bias")[0]
        w2 = try values("gamma.l2.weight").map(abs)
        b2 = try values("gamma.l2.bias")
        w3 = try values("gamma.l3.weight").map(abs)
        b3 = try values("gamma.l3.bias")[0]
        gamma0 = try values("gamma.gamma0")[0]
        gamma1 = try values("gamma.gamma1")[0]
        tildeAtZero = 0
        tildeAtOne = 0
        let zero = unnormalized(0), one = unnormalized(1)
        guard one > zero, gamma1 > gamma0, zero.isFinite, one.isFinite else {
            throw ModelError.invalidMetadata(
                path: checkpoint.file.path, reason: "the γ network is not increasing (γ0 = \(gamma0), γ1 = \(gamma1))")
        }
        tildeAtZero = zero
        tildeAtOne = one
    }

    /// g̃(t), the unnormalised monotone network.
    func unnormalized(_ t: Double) -> Double {
        let l1 = w1 * t + b1
        var sum = 0.0
        for j in 0..<w2.count {
            sum = sum.addingProduct(w3[j], ExactMath.sigmoid(w2[j] * l1 + b2[j]))
        }
        return l1 + sum + b3
    }

    /// γ(t) in float64, t ∈ [0, 1].
    public func gamma(at t: Double) -> Double {
        gamma0 + (gamma1 - gamma0) * (unnormalized(t) - tildeAtZero) / (tildeAtOne - tildeAtZero)
    }

    /// γ(i/T) for i = 0…T, each computed in float64 and rounded once to float32 (T + 1 values,
    /// strictly increasing for a trained model). These are the γ values encoder and decoder share.
    /// - Throws: `ModelError.invalidArgument` when `steps` < 1.
    public func gammas(steps: Int) throws -> [Float] {
        guard steps >= 1, steps <= 1 << 20 else {
            throw ModelError.invalidArgument("the number of steps must be in 1…\(1 << 20), not \(steps)")
        }
        return (0...steps).map { Float(gamma(at: Double($0) / Double(steps))) }
    }
}
