import Foundation
import XCTest
@testable import ExactMath

/// The vectorised exp/SiLU and sin/cos against the scalar ExactMath functions and float64 references.
final class VectorMathTests: XCTestCase {
    func testVectorExpIsWithinTwoUlpOfScalar() {
        var worst: Float = 0
        var x: Float = -87
        while x < 87.9 {
            let lanes = SIMD8<Float>((0..<8).map { min(88, x + Float($0) * 0.0137) })
            let result = ExactMath.exp(lanes)
            for lane in 0..<8 {
                let reference = ExactMath.exp(Double(lanes[lane]))
                let ulps = abs(Float(reference) - result[lane]) / Float(reference).ulp
                worst = max(worst, ulps)
            }
            x += 0.0917
        }
        XCTAssertLessThanOrEqual(worst, 2, "worst error \(worst) ulp")
        // Beyond the clamp the result saturates instead of overflowing.
        XCTAssertEqual(ExactMath.exp(SIMD8<Float>(repeating: 1000))[0], ExactMath.exp(SIMD8<Float>(repeating: 88))[0])
        XCTAssertTrue(ExactMath.exp(SIMD8<Float>(repeating: -1000))[0] > 0)
    }

    func testSiLUClampsAndMatchesDefinition() {
        for x: Float in [-1000, -90, -20, -1, -1e-3, 0, 1e-3, 0.5, 3, 20, 90, 1000] {
            let reference = Double(x) / (1 + ExactMath.exp(-Double(x)))
            XCTAssertEqual(Double(ExactMath.silu(x)), reference, accuracy: 4e-7 * max(1, abs(reference)), "x = \(x)")
            XCTAssertTrue(ExactMath.silu(x).isFinite)
        }
        // Scalar and lane versions agree bit for bit, in any lane.
        let lanes = SIMD8<Float>(-3, -0.5, 0, 0.25, 1, 2.5, 7, -9)
        let vector = ExactMath.silu(lanes)
        for lane in 0..<8 { XCTAssertEqual(vector[lane].bitPattern, ExactMath.silu(lanes[lane]).bitPattern) }
    }

    func testVectorSinCosMatchesScalar() {
        var worst = 0.0
        var u: Float = -4000
        while u < 4000 {
            let lanes = SIMD4<Double>((0..<4).map { Double(u) + Double($0) * 0.37 })
            let (s, c) = ExactMath.sinCos(lanes)
            for lane in 0..<4 {
                worst = max(worst, abs(s[lane] - ExactMath.sin(lanes[lane])), abs(c[lane] - ExactMath.cos(lanes[lane])))
            }
            u += 1.913
        }
        XCTAssertLessThan(worst, 1e-13)
        let (fs, fc) = ExactMath.sinCos(SIMD4<Float>(0, 1, -2, 804.25))
        for (lane, value) in [0, 1, -2, 804.25].enumerated() {
            XCTAssertEqual(fs[lane], Float(ExactMath.sin(value)))
            XCTAssertEqual(fc[lane], Float(ExactMath.cos(value)))
        }
    }
}
