// `swift run -c release vdmz-bench ans [--quick]`: throughput of the rANS stack coder (push and pop of
// categorical and discretized-Gaussian symbols, single- and multi-lane) and the rate overhead of the
// discretized Gaussian against its exact information content. Speeds are single-threaded.
import ANS
import ArgumentParser
import ExactMath
import Foundation

private typealias BenchRNG = SplitMix64

/// Best-of-`repeats` wall time in seconds of `body`.
private func bestTime(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        let t1 = DispatchTime.now().uptimeNanoseconds
        best = min(best, Double(t1 - t0) * 1e-9)
    }
    return best
}

private func rate(_ n: Int, _ seconds: Double) -> String { String(format: "%7.1f M/s", Double(n) / seconds / 1e6) }

/// `vdmz-bench ans`.
struct ANSBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ans", abstract: "Push/pop throughput of the rANS stack coder and the Gaussian's rate overhead (one thread)."
    )

    @Flag(help: "Fewer symbols and repeats.")
    var quick = false

    func run() throws { try ansBenchmark(quick: quick) }
}

private func ansBenchmark(quick: Bool) throws {
    var rng = BenchRNG(seed: 1)
    let repeats = quick ? 2 : 5
    let n = quick ? 1 << 20 : 1 << 22
    print("rANS stack coder: 64-bit state, 32-bit renormalization; \(n) symbols per call; best of \(repeats)")

    // Categorical with a fixed table (precision 16 → slot lookup table), 50 symbols.
    let weights = (0..<50).map { _ in Double.random(in: 0.01..<1, using: &rng) }
    let table = try CategoricalDistribution(probabilities: weights, precision: 16)
    var cumulative = [UInt32](); var acc: UInt32 = 0
    for f in table.frequencies { acc += f; cumulative.append(acc) }
    let symbols: [Int32] = (0..<n).map { _ in
        let u = UInt32.random(in: 0..<65536, using: &rng)
        return Int32(cumulative.firstIndex { u < $0 }!)
    }
    print("\ncategorical (50 symbols, precision 16):")
    for lanes in [1, 4, 16, 64] {
        let base = try Message(laneCount: lanes)
        var pushed = base
        let tPush = try bestTime(repeats: repeats) {
            pushed = base; try pushed.push(symbols, with: table)
        }
        var out = [Int32](repeating: 0, count: n)
        let tPop = bestTime(repeats: repeats) {
            var m = pushed
            out.withUnsafeMutableBufferPointer { m.pop(into: $0, with: table) }
        }
        precondition(out == symbols, "categorical round trip failed")
        print("  lanes \(String(format: "%3d", lanes)): push \(rate(n, tPush))   pop \(rate(n, tPop))")
    }

    // Discretized Gaussian, per-element means, shared σ.
    let gn = n / 4
    let means = (0..<gn).map { _ in Float.random(in: -2...2, using: &rng) }
    for (s, precision) in [(16.0, 24), (256.0, 28)] {
        let sigma = 0.3
        let grid = try DiscretizedGaussian(binWidth: sigma / s, precision: precision)
        var sampler = try Message(laneCount: 8, seed: 3)
        let values = try sampler.popGaussian(means: means, standardDeviation: sigma, under: grid)
        print("\ndiscretized Gaussian (σ/δ = \(Int(s)), precision \(precision), shared σ, \(gn) symbols):")
        for lanes in [1, 16] {
            let base = try Message(laneCount: lanes)
            var pushed = base
            let tPush = try bestTime(repeats: repeats) {
                pushed = base; try pushed.pushGaussian(values, means: means, standardDeviation: sigma, under: grid)
            }
            var out: [Int32] = []
            let tPop = try bestTime(repeats: repeats) {
                var m = pushed; out = try m.popGaussian(means: means, standardDeviation: sigma, under: grid)
            }
            precondition(out == values, "Gaussian round trip failed")
            print("  lanes \(String(format: "%3d", lanes)): push \(rate(gn, tPush))   pop \(rate(gn, tPop))")
        }
        // Per-element σ.
        let sigmas = (0..<gn).map { _ in Float(sigma * Double.random(in: 0.8...1.2, using: &rng)) }
        let base = try Message(laneCount: 16)
        var pushed = base
        let tPush = try bestTime(repeats: repeats) {
            pushed = base; try pushed.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid)
        }
        let tPop = try bestTime(repeats: repeats) {
            var m = pushed; _ = try m.popGaussian(means: means, standardDeviations: sigmas, under: grid)
        }
        print("  per-element σ, lanes  16: push \(rate(gn, tPush))   pop \(rate(gn, tPop))")

        // Rate overhead: coded bits vs exact −log2 of the discretized Gaussian mass (ExactMath.normalCDF).
        let on = min(gn, 100_000)
        var ideal = 0.0
        for i in 0..<on {
            let lo = ((Double(values[i]) - 0.5) * grid.binWidth - Double(means[i])) / sigma
            let hi = ((Double(values[i]) + 0.5) * grid.binWidth - Double(means[i])) / sigma
            // Upper-tail form avoids cancellation for positive edges.
            let p =
                lo > 0 ? ExactMath.normalCDF(-lo) - ExactMath.normalCDF(-hi) : ExactMath.normalCDF(hi) - ExactMath.normalCDF(lo)
            ideal -= log2(p)
        }
        var m = try Message(laneCount: 16)
        let before = m.contentBits
        try m.pushGaussian(Array(values[0..<on]), means: Array(means[0..<on]), standardDeviation: sigma, under: grid)
        let coded = m.contentBits - before
        print(
            String(
                format: "  rate: %.4f bits/symbol coded vs %.4f ideal (exact mass): overhead %.2e bits/symbol (%.4f %%)",
                coded / Double(on), ideal / Double(on), (coded - ideal) / Double(on), 100 * (coded - ideal) / ideal))
    }

    // Per-symbol 256-way categorical from logits (pixels).
    let pn = quick ? 20_000 : 100_000
    let logits = (0..<(pn * 256)).map { _ in Float.random(in: -10...5, using: &rng) }
    let pixels = (0..<pn).map { _ in Int32.random(in: 0..<256, using: &rng) }
    let base = try Message(laneCount: 16)
    var pushed = base
    let tPush = try bestTime(repeats: 2) {
        pushed = base; try pushed.pushCategorical(pixels, logits: logits, categoryCount: 256)
    }
    var out: [Int32] = []
    let tPop = try bestTime(repeats: 2) {
        var m = pushed; out = try m.popCategorical(logits: logits, categoryCount: 256)
    }
    precondition(out == pixels, "logits round trip failed")
    print(
        "\n256-way categorical from logits (precision 24, quantized with ExactMath.exp): push \(rate(pn, tPush))   pop \(rate(pn, tPop))"
    )
}
