import Foundation
import XCTest
@testable import ExactMath

/// erf, erfc, the normal CDF and its inverse against glibc.
final class ErfNormalTests: XCTestCase {
    func testErfMatchesLibm() {
        let inputs = uniformInputs(20000, -7, 7, seed: 31) + logUniformInputs(5000, -1074, 2, signed: true, seed: 32)
        let (err, at) = maxUlpError(inputs, ExactMath.erf, Foundation.erf)
        XCTAssertLessThanOrEqual(err, 2, "erf off by \(err) ulp at \(at)")
        XCTAssertEqual(ExactMath.erf(Double.infinity), 1)
        XCTAssertEqual(ExactMath.erf(-Double.infinity), -1)
        XCTAssertEqual(ExactMath.erf(Double(0)), 0)
        XCTAssertTrue(ExactMath.erf(Double.nan).isNaN)
    }

    func testErfcMatchesLibm() {
        // Normal results: relative accuracy in ulp.
        let inputs =
            uniformInputs(20000, -6, 26.5, seed: 33) + uniformInputs(10000, -1, 4, seed: 34)
            + logUniformInputs(5000, -60, 2, signed: true, seed: 35)
        let (err, at) = maxUlpError(inputs, ExactMath.erfc, Foundation.erfc)
        XCTAssertLessThanOrEqual(err, 4, "erfc off by \(err) ulp at \(at)")
        // Subnormal results (26.55 < x < 27.3): rounded once, so within 1 ulp of the subnormal grid.
        for x in uniformInputs(2000, 26.55, 27.4, seed: 36) {
            let d = Swift.abs(ExactMath.erfc(x) - Foundation.erfc(x))
            XCTAssertLessThanOrEqual(d, Double.leastNonzeroMagnitude, "erfc(\(x))")
        }
        XCTAssertEqual(ExactMath.erfc(Double.infinity), 0)
        XCTAssertEqual(ExactMath.erfc(-Double.infinity), 2)
        XCTAssertEqual(ExactMath.erfc(Double(30)), 0)
        XCTAssertEqual(ExactMath.erfc(Double(-30)), 2)
    }

    /// Reference values Φ(x) and erfc(x) correctly rounded, computed once with mpmath at 200 bits.
    func testNormalCDFAndErfcAgainstHighPrecisionReferences() {
        let cdf: [(Double, Double)] = [
            (-37.4, 0x1.5f36452e2b553p-1016), (-36.1, 0x1.5959c1af60fcbp-947), (-33.3, 0x1.a5cf84d963ac8p-807),
            (-30.0, 0x1.7795ad05ea397p-656), (-27.77, 0x1.8237e18fe0d91p-563), (-25.5, 0x1.ec4c900ce5ab9p-476),
            (-22.2, 0x1.9cfbb891c864ap-362), (-20.0, 0x1.c0bd0f1880783p-295), (-17.3, 0x1.95d027726428fp-222),
            (-15.0, 0x1.5f9bd44cdd4f4p-168), (-12.5, 0x1.3d880d577329bp-118), (-10.0, 0x1.26c75e84fb10dp-77),
            (-8.7, 0x1.e9c64bc3d21c0p-60), (-7.5, 0x1.1f68f3dbb818ap-45), (-6.0, 0x1.0f30ef0092d48p-30),
            (-5.0, 0x1.33ca2f2133831p-22), (-4.3, 0x1.1e8d3abb1e03fp-17), (-4.2426, 0x1.72af2bb30be7dp-17),
            (-3.9, 0x1.93761cc01c789p-15), (-3.0, 0x1.61de1f985b5d7p-10), (-2.5, 0x1.96f4e57e49ce4p-8),
            (-2.0, 0x1.74bcf82c9d860p-6), (-1.5, 0x1.11a46d89647efp-4), (-1.0, 0x1.44ed0bb7cb20bp-3),
            (-0.5, 0x1.3bf143b9aa712p-2), (-0.1, 0x1.d7375f15b2f1ep-2), (-1e-05, 0x1.fffef4463cf4bp-2),
            (0.3, 0x1.3c5ee2cc40b79p-1), (0.9, 0x1.a1c2df0a46a8ep-1), (1.7, 0x1.e92eb735d7870p-1),
            (2.9, 0x1.ff0b71b1c9effp-1), (4.5, 0x1.ffff8dfe35c8bp-1), (6.5, 0x1.ffffffffa7affp-1),
            (8.1, 0x1.ffffffffffffep-1),
        ]
        for (x, want) in cdf {
            XCTAssertLessThanOrEqual(ulpDistance(ExactMath.normalCDF(x), want), 2, "normalCDF(\(x))")
        }
        let erfcTable: [(Double, Double)] = [
            (-5.5, 0x1.fffffffffffdfp+0), (-2.2, 0x1.ff85eaa0129c0p+0), (-0.7, 0x1.ad846108b8b23p+0),
            (0.01, 0x1.fa390f6666a12p-1), (0.45, 0x1.0c8da8f756b20p-1), (0.95, 0x1.6ed0cce964d3fp-3),
            (1.5, 0x1.15aaa8ec85205p-5), (2.1, 0x1.86864fb26b017p-9), (2.9, 0x1.58c1056c73872p-15),
            (3.01, 0x1.5bf12baac3da5p-16), (3.5, 0x1.8ef2a9a18d857p-21), (4.7, 0x1.0777411916ed2p-35),
            (5.9, 0x1.4b99601a343bep-54), (6.1, 0x1.d1ef7651e1e24p-58), (9.9, 0x1.6062e5c38faf8p-146),
            (14.2, 0x1.5ac5fcafccc33p-296), (19.7, 0x1.f7d13ea23b955p-566), (25.1, 0x1.870b89190b836p-915),
            (26.5, 0x1.3df6725a60cf5p-1019),
        ]
        for (x, want) in erfcTable {
            XCTAssertLessThanOrEqual(ulpDistance(ExactMath.erfc(x), want), 2, "erfc(\(x))")
        }
    }

    func testNormalCDFMatchesLibmInTheBody() {
        // For |x| ≤ 5 glibc's ½·erfc(−x/√2) is accurate to a few ulp (the rounded argument costs ≤ 2x²·2^-53).
        let inputs = uniformInputs(20000, -5, 5, seed: 37)
        let (err, at) = maxUlpError(inputs, ExactMath.normalCDF, { 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) })
        XCTAssertLessThanOrEqual(err, 40, "normalCDF off by \(err) ulp at \(at)")
        XCTAssertEqual(ExactMath.normalCDF(0.0), 0.5)
        XCTAssertEqual(ExactMath.normalCDF(-Double.infinity), 0)
        XCTAssertEqual(ExactMath.normalCDF(Double.infinity), 1)
        XCTAssertEqual(ExactMath.normalCDF(-50.0), 0)
        XCTAssertTrue(ExactMath.normalCDF(Double.nan).isNaN)
    }

    func testNormalCDFIsMonotoneOnAGrid() {
        var previous = ExactMath.normalCDF(Double(-40))
        var x = -40.0
        while x < 10 {
            x += 1.0 / 1024
            let value = ExactMath.normalCDF(x)
            XCTAssertGreaterThanOrEqual(value, previous, "normalCDF decreases at \(x)")
            previous = value
        }
        // Fine grid around 0 and around the series/continued-fraction switch at |x/√2| = 3.
        for center in [0.0, -3 * 2.0.squareRoot(), 3 * 2.0.squareRoot()] {
            var y = center - 1e-12
            previous = ExactMath.normalCDF(y)
            for _ in 0..<4000 {
                y = y.nextUp
                let value = ExactMath.normalCDF(y)
                XCTAssertGreaterThanOrEqual(value, previous, "normalCDF decreases at \(y)")
                previous = value
            }
        }
    }

    func testNormalQuantileInvertsCDF() {
        let ps = uniformInputs(5000, 1e-6, 1 - 1e-6, seed: 38) + logUniformInputs(3000, -1000, -1, signed: false, seed: 39)
        for p in ps {
            let x = ExactMath.normalQuantile(p)
            let back = ExactMath.normalCDF(x)
            // Φ has relative condition number ≈ x² + 1 in x, so the round trip can only be that accurate.
            XCTAssertEqual(back, p, accuracy: Swift.min(p, 1 - p) * (x * x + 1) * 1e-15, "p = \(p)")
        }
        XCTAssertEqual(ExactMath.normalQuantile(0.5), 0)
        XCTAssertEqual(ExactMath.normalQuantile(Double(0)), -.infinity)
        XCTAssertEqual(ExactMath.normalQuantile(Double(1)), .infinity)
        XCTAssertTrue(ExactMath.normalQuantile(1.5).isNaN)
        XCTAssertTrue(ExactMath.normalQuantile(Double.nan).isNaN)
    }
}
