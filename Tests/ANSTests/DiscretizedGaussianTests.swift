import ExactMath
import XCTest
@testable import ANS

final class DiscretizedGaussianTests: XCTestCase {
    func testRoundTripOnRandomParametersIncludingEscapes() throws {
        var rng = SplitMix64(seed: 21)
        for trial in 0..<24 {
            let sigma = Double.random(in: 0.01...3, using: &rng)
            let s = [0.3, 1, 4, 16, 64, 256][trial % 6]  // σ/δ
            let grid = try DiscretizedGaussian(
                binWidth: sigma / s, precision: [20, 24, 28][trial % 3],
                escapePlacement: trial % 4 == 0 ? .top : .center
            ).reading(slotsIn: trial % 3 == 1 ? .scrambled : .natural)
            let n = Int.random(in: 1..<400, using: &rng)
            let means = (0..<n).map { _ in Float.random(in: -3...3, using: &rng) }
            var values = [Int32]()
            for i in 0..<n {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: values.append(Int32.random(in: Int32.min...Int32.max, using: &rng))  // escape
                case 1: values.append([Int32.min, Int32.max, 0, -1][i % 4])
                default:
                    let z = Double(means[i]) + sigma * Double.random(in: -4...4, using: &rng)
                    values.append(Int32(clamping: Int64((z / grid.binWidth).rounded())))
                }
            }
            let start = try randomMessage(laneCount: 1 + trial % 7, words: 4, seed: UInt64(trial))
            var m = start
            try m.pushGaussian(values, means: means, standardDeviation: sigma, under: grid)
            XCTAssertEqual(try m.popGaussian(means: means, standardDeviation: sigma, under: grid), values, "trial \(trial)")
            XCTAssertEqual(m, start)
            // Per-element σ.
            let sigmas = (0..<n).map { _ in Float(sigma * Double.random(in: 0.5...1.5, using: &rng)) }
            try m.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid)
            XCTAssertEqual(try m.popGaussian(means: means, standardDeviations: sigmas, under: grid), values)
            XCTAssertEqual(m, start)
        }
    }

    func testAPushedEscapeDoesNotMakeTheNextPopEscapeWhenItSitsInTheMiddle() throws {
        // The escape interval's start is what a push leaves in the head's low bits for the next pop. At the
        // top, that slot is an escape for every distribution (the cascade seen on cifar-500); in the middle,
        // the next distribution reads it as an ordinary value near its centre.
        for placement in [DiscretizedGaussian.EscapePlacement.top, .center] {
            let grid = try DiscretizedGaussian(binWidth: 0.01, precision: 27, escapePlacement: placement)
            var message = try randomMessage(laneCount: 1, words: 8, seed: 5)
            let before = message
            try message.pushGaussian([1_000_000], means: [0], standardDeviation: 0.1, under: grid)
            let popped = try message.popGaussian(means: [0.3], standardDeviation: 0.05, under: grid)
            // N(0.3, 0.05²) on the grid 0.01: centre 30, window ±33 symbols.
            XCTAssertEqual(abs(Int(popped[0]) - 30) > 33, placement == .top, "\(placement): popped \(popped[0])")
            if placement == .center { XCTAssertLessThanOrEqual(abs(Int(popped[0]) - 30), 1) }
            try message.pushGaussian(popped, means: [0.3], standardDeviation: 0.05, under: grid)
            XCTAssertEqual(try message.popGaussian(means: [0], standardDeviation: 0.1, under: grid), [1_000_000])
            XCTAssertEqual(message, before)
            // Coding lengths agree with the layout: an escape costs the same in both.
            let length = try grid.codeLength(of: 1_000_000, mean: 0, standardDeviation: 0.1)
            XCTAssertGreaterThanOrEqual(length, 27 + 32 - 1)
        }
    }

    func testScrambledSlotsDecoupleAPopFromTheQuantileOfThePreviousPush() throws {
        // Push values that all sit at +2.5σ of p (slots read as they are, like the chain's likelihoods); the
        // next pops (under N(0, 1) too, like the chain's posteriors) read the slots those pushes left. Read as
        // they are, the pops land at the same quantile (the "dirty bits" of few-step chains); read through
        // the bijection, they are spread like samples, with a mean near 0.
        let n = 4000
        let pushGrid = try DiscretizedGaussian(binWidth: 1.0 / 64, precision: 27)
        for order in [SlotOrder.natural, .scrambled] {
            let grid = pushGrid.reading(slotsIn: order)
            var message = try randomMessage(laneCount: 16, words: 64, seed: 9)
            let before = message
            let means = [Float](repeating: 0, count: n)
            try message.pushGaussian([Int32](repeating: 160, count: n), means: means, standardDeviation: 1, under: pushGrid)
            let popped = try message.popGaussian(means: means, standardDeviation: 1, under: grid)
            let mean = popped.reduce(0.0) { $0 + Double($1) / 64 } / Double(n)
            if order == .natural {
                XCTAssertGreaterThan(mean, 2, "natural slots: the pops follow the pushed quantile")
            } else {
                XCTAssertLessThan(abs(mean), 0.1, "scrambled slots: mean of the pops \(mean)")
            }
            // Still exact inverses: push the pops back, pop the pushed values.
            try message.pushGaussian(popped, means: means, standardDeviation: 1, under: grid)
            XCTAssertEqual(
                try message.popGaussian(means: means, standardDeviation: 1, under: pushGrid), [Int32](repeating: 160, count: n))
            XCTAssertEqual(message, before)
        }
    }

    func testPopThenPushRestoresAndFarOffMeansAreEncodable() throws {
        var rng = SplitMix64(seed: 22)
        let grid = try DiscretizedGaussian(binWidth: 1.0 / 64, precision: 24)
        for trial in 0..<10 {
            let start = try randomMessage(laneCount: 4, words: trial * 10, seed: UInt64(50 + trial))
            var m = start
            let n = 300
            let qMeans = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
            let z = try m.popGaussian(means: qMeans, standardDeviation: 0.25, under: grid)
            // Push the same values under a distribution whose means are far off (escape path), pop back.
            let pMeans = (0..<n).map { _ in Float.random(in: -3e7...3e7, using: &rng) }
            var m2 = m
            try m2.pushGaussian(z, means: pMeans, standardDeviation: 0.01, under: grid)
            XCTAssertEqual(try m2.popGaussian(means: pMeans, standardDeviation: 0.01, under: grid), z)
            XCTAssertEqual(m2, m)
            try m.pushGaussian(z, means: qMeans, standardDeviation: 0.25, under: grid)
            XCTAssertEqual(m, start, "push(pop(m)) == m")
        }
    }

    func testPoppedSamplesFollowTheDistribution() throws {
        // Pops from random bits are samples: the empirical mean/σ of z = kδ match N(μ, σ²).
        var m = try Message(laneCount: 8, seed: 99)
        let n = 20000
        let grid = try DiscretizedGaussian(binWidth: 0.05, precision: 24)
        let z = try m.popGaussian(means: [Float](repeating: 1.5, count: n), standardDeviation: 0.8, under: grid)
        let values = z.map { Double($0) * 0.05 }
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 1.5, accuracy: 0.03)
        XCTAssertEqual(variance.squareRoot(), (0.64 + 0.05 * 0.05 / 12).squareRoot(), accuracy: 0.02)
    }

    func testQuantizationOverheadAgainstExactDiscretizedGaussian() throws {
        // Expected −log2 q̃(k) − (−log2 P(k)) under k ~ P, P the exact discretized Gaussian mass.
        for (s, precision) in [(16.0, 24), (64.0, 24), (256.0, 28), (1.0, 24)] {
            let sigma = 1.0, delta = sigma / s
            let grid = try DiscretizedGaussian(binWidth: delta, precision: precision)
            let mean: Float = 0.3137
            var expectedOverhead = 0.0, totalMass = 0.0
            let center = Int(Double(mean) / delta)
            let h = Int(7 * s) + 2
            for k in (center - h)...(center + h) {
                let lo = ((Double(k) - 0.5) * delta - Double(mean)) / sigma
                let hi = ((Double(k) + 0.5) * delta - Double(mean)) / sigma
                let p = ExactMath.normalCDF(hi) - ExactMath.normalCDF(lo)
                guard p > 0 else { continue }
                totalMass += p
                let bits = try grid.codeLength(of: Int32(k), mean: mean, standardDeviation: sigma)
                expectedOverhead += p * (bits + Foundation.log2(p))
            }
            XCTAssertEqual(totalMass, 1, accuracy: 1e-9)
            XCTAssertLessThan(
                expectedOverhead, 2e-4, "s = \(s), precision \(precision): overhead \(expectedOverhead) bits/symbol")
            XCTAssertGreaterThan(expectedOverhead, -1e-9, "KL cannot be negative")
        }
    }

    func testQuantizedCDFAndDecoderAgreeOnEverySlot() throws {
        // Exhaustive over all 2^16 slots: C is strictly increasing with C(a) = 0 and C(b+1) ≤ T − 1, and
        // the decoder's guess/fix-up returns exactly the symbol whose interval holds the slot.
        var rng = SplitMix64(seed: 23)
        let precision = 16, total = UInt64(1) << 16
        for trial in 0..<12 {
            let sigma = Double.random(in: 0.05...2, using: &rng)
            let s = [0.2, 0.9, 3, 17, 60, 500][trial % 6]
            let delta = sigma / s
            let mean = Float.random(in: -5...5, using: &rng) * (trial == 11 ? 1e9 : 1)
            let scale = try GaussianScale(sigma: sigma, binWidth: delta, precision: precision)
            try NormalCDFTable.table.withUnsafeBufferPointer { tp in
                try NormalCDFTable.bucketStart.withUnsafeBufferPointer { bp in
                    try NormalCDFTable.inverseSteps.withUnsafeBufferPointer { ip in
                        let t = tp.baseAddress!, b = bp.baseAddress!, inv = ip.baseAddress!
                        let bin = try GaussianBin(mean: mean, scale: scale, binWidth: delta, table: t)
                        XCTAssertEqual(bin.cdf(bin.a, table: t), 0)
                        var previous = bin.cdf(bin.a, table: t)
                        for k in (bin.a + 1)...(bin.b + 1) {
                            let c = bin.cdf(k, table: t)
                            XCTAssertGreaterThan(c, previous, "C not strictly increasing at \(k)")
                            previous = c
                        }
                        XCTAssertLessThanOrEqual(previous, total - 1, "escape must keep ≥ 1 slot")
                        for slot in 0..<total {
                            let (k, start, freq) = bin.searchTopLayout(
                                slot: slot, table: t, buckets: b, inverseSteps: inv, total: total)
                            XCTAssertTrue(start <= slot && slot < start + freq, "slot \(slot) outside found interval")
                            if k <= bin.b {
                                XCTAssertEqual(start, bin.cdf(k, table: t))
                                XCTAssertEqual(start + freq, bin.cdf(k + 1, table: t))
                            } else {
                                XCTAssertEqual(start, bin.cdf(bin.b + 1, table: t))
                                XCTAssertEqual(start + freq, total)
                            }
                            let g = bin.guessTopLayout(slot: slot, table: t, buckets: b, inverseSteps: inv, total: total)
                            if g.1 <= slot && slot < g.2 { XCTAssertEqual(g.0, k) }
                        }
                    }
                }
            }
        }
    }

    func testASharedEscapeFrequencyIsTheOneEveryCenteredWindowEvaluates() throws {
        // GaussianScale.sharedEscapeFrequency claims T − C(b + 1) for every centered window of the scale;
        // check it against each bin's own evaluation over many means, at the chain's σ/δ and beyond.
        var rng = SplitMix64(seed: 29)
        var shared = 0
        for precision in [16, 24, 27] {
            // 0.26…0.45: windows whose far tails are 0 in the table for some means only (the guard matters).
            for s in [0.26, 0.28, 0.3, 0.35, 0.45, 1, 2, 8, 16, 100, 700] {
                let sigma = Double.random(in: 0.01...3, using: &rng), delta = sigma / s
                let scale = try GaussianScale(sigma: sigma, binWidth: delta, precision: precision)
                let total = UInt64(1) << UInt64(precision)
                NormalCDFTable.table.withUnsafeBufferPointer { tp in
                    let t = tp.baseAddress!
                    let frequency = scale.sharedEscapeFrequency(table: t)
                    guard frequency != 0 else { return }
                    shared += 1
                    for i in 0..<3000 {
                        let mean = Float.random(in: -8...8, using: &rng) * Float(sigma) + (i % 3 == 0 ? 0.5 * Float(delta) : 0)
                        guard let bin = try? GaussianBin(mean: mean, scale: scale, binWidth: delta, table: t) else { continue }
                        XCTAssertTrue(bin.isCentered)
                        XCTAssertEqual(frequency, total - bin.cdf(bin.b + 1, table: t), "precision \(precision), σ/δ \(s)")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(shared, 15, "the chain's scales should share their escape frequency")
    }

    func testASharedEscapeFrequencyHoldsAtTheProofsEndpoints() throws {
        // Means where the proof's bounds are reached or its arithmetic is inexact: half-integer m on a
        // power-of-two grid (a − ½ − m = −h − 1 exactly), |m| up to 2^31 (x − m rounds), and centered windows
        // against the ends of Int32; precisions up to 31, σ/δ from 2^−20 to near the window's limit.
        var checked = 0
        for precision in [16, 24, 28, 31] {
            let largest = (Swift.min(32_767, Double(1 << (precision - 2)) / 2 - 1) - 2) / 6.5
            for s in [0x1p-20, 0.75, 2, 8, 64, largest] {
                let delta = 0x1p-10, sigma = s * delta
                let scale = try GaussianScale(sigma: sigma, binWidth: delta, precision: precision)
                let total = UInt64(1) << UInt64(precision), h = Double(scale.halfWidth)
                var grid: [Double] = [0.5, -0.5, 3.5, -1e6 + 0.5, 123_456.5, 0.25, -0.75]
                grid += [Double(Int32.max) - h, Double(Int32.min) + h, Double(Int32.max) - h - 0.5, Double(Int32.min) + h + 0.5]
                grid += [2_000_000_000.5, -2_000_000_000.5, 1.5e9 + 0.37]
                NormalCDFTable.table.withUnsafeBufferPointer { tp in
                    let t = tp.baseAddress!
                    let shared = scale.sharedEscapeFrequency(table: t)
                    for m in grid {
                        let mean = Float(m * delta)  // m·δ exact for these m (δ a power of two, Float-representable)
                        guard let bin = try? GaussianBin(mean: mean, scale: scale, binWidth: delta, table: t),
                            shared != 0, bin.isCentered
                        else { continue }
                        checked += 1
                        XCTAssertEqual(shared, total - bin.cdf(bin.b + 1, table: t), "precision \(precision), σ/δ \(s), m \(m)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 150)
    }

    func testLocateFindsTheSymbolSearchFindsBesideTheEscapeAtEveryPrecision() throws {
        // Sampled slots around every boundary near the escape (and in the top layout) for precisions up to 31.
        var rng = SplitMix64(seed: 37)
        for precision in [16, 20, 27, 31] {
            let total = UInt64(1) << UInt64(precision)
            for trial in 0..<12 {
                let s = [0.3, 1, 2, 8, 40, 200][trial % 6], delta = 0x1p-8
                let placement: DiscretizedGaussian.EscapePlacement = trial % 4 == 3 ? .top : .center
                let mean = Float(Double.random(in: -50...50, using: &rng) * delta)
                let scale = try GaussianScale(sigma: s * delta, binWidth: delta, precision: precision)
                try NormalCDFTable.table.withUnsafeBufferPointer { tp in
                    try NormalCDFTable.bucketStart.withUnsafeBufferPointer { bp in
                        try NormalCDFTable.inverseSteps.withUnsafeBufferPointer { ip in
                            let t = tp.baseAddress!, b = bp.baseAddress!, inv = ip.baseAddress!
                            let bin = try GaussianBin(mean: mean, scale: scale, binWidth: delta, table: t, placement: placement)
                            let escape = placement == .top ? (total, 0) : bin.escapeInterval(table: t, total: total)
                            var slots: [UInt64] = [0, 1, total - 1, total - 2, total / 2]
                            for k in [bin.split, bin.split + 1, bin.split + 2, bin.a + 1, bin.b, bin.b + 1]
                            where k >= bin.a && k <= bin.b + 1 {
                                let c = bin.cdf(k, table: t)
                                for d in [-2, -1, 0, 1, 2, 3] {
                                    slots.append(UInt64(Swift.max(0, Swift.min(Int64(total) - 1, Int64(c) + Int64(d)))))
                                }
                            }
                            if escape.1 > 0 {
                                for d in [-2, -1, 0, 1, 2, 3] {
                                    slots.append(UInt64(Swift.max(0, Int64(escape.0) + Int64(d))))
                                    slots.append(UInt64(Swift.max(0, Int64(escape.0 + escape.1) + Int64(d))))
                                }
                            }
                            for _ in 0..<200 { slots.append(UInt64.random(in: 0..<total, using: &rng)) }
                            for sharedEscape in Set([scale.sharedEscapeFrequency(table: t), 0]) {
                                for slot in slots where slot < total {
                                    let (k, start, frequency) = bin.search(
                                        slot: slot, escape: escape, table: t, buckets: b, inverseSteps: inv, total: total)
                                    let first = bin.guessTopLayout(
                                        slot: slot, table: t, buckets: b, inverseSteps: inv, total: total)
                                    let found = bin.locate(
                                        slot: slot, first: first, sharedEscape: sharedEscape, table: t, buckets: b,
                                        inverseSteps: inv, total: total)
                                    XCTAssertTrue(
                                        found == (k, start, start + frequency),
                                        "precision \(precision), trial \(trial), slot \(slot): \(found) against \((k, start, start + frequency))"
                                    )
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func testLocateFindsTheSymbolSearchFindsOnEverySlot() throws {
        // Exhaustive over all 2^16 slots of the centered-escape layout: the pop's `locate` (a guess checked
        // beside the escape, the escape frequency shared or not) gives search's symbol and interval.
        var rng = SplitMix64(seed: 31)
        let precision = 16, total = UInt64(1) << 16
        for trial in 0..<10 {
            let sigma = Double.random(in: 0.05...2, using: &rng)
            let s = [0.2, 0.9, 3, 17, 60][trial % 5]
            let delta = sigma / s
            // Trial 9 puts the window against the end of Int32 (shifted: not centered).
            let mean = trial == 9 ? Float(Double(Int32.max) * delta) : Float.random(in: -5...5, using: &rng)
            let scale = try GaussianScale(sigma: sigma, binWidth: delta, precision: precision)
            try NormalCDFTable.table.withUnsafeBufferPointer { tp in
                try NormalCDFTable.bucketStart.withUnsafeBufferPointer { bp in
                    try NormalCDFTable.inverseSteps.withUnsafeBufferPointer { ip in
                        let t = tp.baseAddress!, b = bp.baseAddress!, inv = ip.baseAddress!
                        let bin = try GaussianBin(mean: mean, scale: scale, binWidth: delta, table: t, placement: .center)
                        XCTAssertEqual(bin.isCentered, trial != 9)
                        let escape = bin.escapeInterval(table: t, total: total)
                        for sharedEscape in Set([scale.sharedEscapeFrequency(table: t), 0]) {
                            for slot in 0..<total {
                                let (k, start, frequency) = bin.search(
                                    slot: slot, escape: escape, table: t, buckets: b, inverseSteps: inv, total: total)
                                let first = bin.guessTopLayout(slot: slot, table: t, buckets: b, inverseSteps: inv, total: total)
                                let found = bin.locate(
                                    slot: slot, first: first, sharedEscape: sharedEscape, table: t, buckets: b,
                                    inverseSteps: inv, total: total)
                                guard found == (k, start, start + frequency) else {
                                    return XCTFail(
                                        "trial \(trial), slot \(slot): \(found) against \((k, start, start + frequency))")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func testInvalidParametersThrow() throws {
        XCTAssertThrowsError(try DiscretizedGaussian(binWidth: 0))
        XCTAssertThrowsError(try DiscretizedGaussian(binWidth: .nan))
        XCTAssertThrowsError(try DiscretizedGaussian(binWidth: 1, precision: 12))
        let grid = try DiscretizedGaussian(binWidth: 1e-6, precision: 20)
        var m = try Message(laneCount: 2)
        XCTAssertThrowsError(try m.pushGaussian([0], means: [0], standardDeviation: 1, under: grid))  // σ/δ too large
        let g2 = try DiscretizedGaussian(binWidth: 0.1)
        XCTAssertThrowsError(try m.pushGaussian([0], means: [.nan], standardDeviation: 1, under: g2))
        XCTAssertThrowsError(try m.pushGaussian([0], means: [0], standardDeviation: -1, under: g2))
        XCTAssertThrowsError(try m.pushGaussian([0, 1], means: [0], standardDeviation: 1, under: g2))
        XCTAssertThrowsError(try m.popGaussian(means: [0], standardDeviations: [0], under: g2))
    }
}

import Foundation
