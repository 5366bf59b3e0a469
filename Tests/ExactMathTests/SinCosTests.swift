import ExactMath
import Foundation
import XCTest
@testable import ExactMath

/// ExactMath sin/cos against glibc, including the argument range of the Fourier features
/// (|2π·128·z| with |z| ≲ 5, i.e. |x| ≲ 4e3) and the Payne–Hanek range (|x| > 1.6e6).
final class SinCosTests: XCTestCase {
    func testSinCosMatchLibm() {
        let inputs =
            uniformInputs(20000, -4, 4, seed: 21) + uniformInputs(20000, -5000, 5000, seed: 22)
            + uniformInputs(10000, -2e5, 2e5, seed: 23) + logUniformInputs(20000, -40, 1023.9, signed: true, seed: 24)
        let (es, xs) = maxUlpError(inputs, ExactMath.sin, Foundation.sin)
        XCTAssertLessThanOrEqual(es, 1, "sin off by \(es) ulp at \(xs)")
        let (ec, xc) = maxUlpError(inputs, ExactMath.cos, Foundation.cos)
        XCTAssertLessThanOrEqual(ec, 1, "cos off by \(ec) ulp at \(xc)")
        for x in inputs.prefix(5000) {
            let (s, c) = ExactMath.sinCos(x)
            XCTAssertEqual(s.bitPattern, ExactMath.sin(x).bitPattern)
            XCTAssertEqual(c.bitPattern, ExactMath.cos(x).bitPattern)
        }
    }

    func testHardArgumentsNearMultiplesOfHalfPi() {
        // Doubles close to multiples of π/2 (worst cases for cancellation), small and large.
        var inputs: [Double] = [Double.pi, Double.pi / 2, 3 * Double.pi / 2, 1e22, Double.greatestFiniteMagnitude]
        for k in 1...2000 { inputs.append(Double(k) * Double.pi / 2); inputs.append(Double(k * 977) * Double.pi / 2) }
        for k in stride(from: 1.0, to: 1e15, by: 1.37e11) { inputs.append(k * Double.pi / 2) }
        let (es, xs) = maxUlpError(inputs, ExactMath.sin, Foundation.sin)
        XCTAssertLessThanOrEqual(es, 1, "sin off by \(es) ulp at \(xs)")
        let (ec, xc) = maxUlpError(inputs, ExactMath.cos, Foundation.cos)
        XCTAssertLessThanOrEqual(ec, 1, "cos off by \(ec) ulp at \(xc)")
    }

    /// Correctly rounded references from mpmath (3000-bit π), including the double closest to a multiple
    /// of π/2 (x = 6381956970095103·2^797, where |x mod π/2| ≈ 2^-61 and glibc's cos is 8 ulp off).
    func testLargeArgumentsAgainstHighPrecisionReferences() {
        let references: [(x: Double, sin: Double, cos: Double)] = [
            (0x1.6ac5b262ca1ffp+849, 0x1.0000000000000p+0, -0x1.14ae72e6ba22fp-61),
            (0x1.0f0cf064dd592p+73, -0x1.b453ab76bf397p-1, 0x1.0be2cef01c8f4p-1),
            (0x1.0000000000000p+1023, 0x1.205248cbdb760p-1, -0x1.a719f26c232bfp-1),
            (0x1.fffffffffffffp+1023, 0x1.452fc98b34e97p-8, -0x1.fffe62ecfab75p-1),
            (0x1.7e43c8800759cp+996, -0x1.a2c16b010e385p-1, -0x1.2699022adc4c1p-1),
            (0x1.d6f3454000000p+26, 0x1.faf0521c8dc5cp-1, 0x1.1f4077c91589fp-3),
            (0x1.6e36000000000p+20, 0x1.05a19f9bf8b6cp-1, -0x1.b81b10301dab6p-1),
            (0x1.9f0a000000000p+20, 0x1.2468b4fe40abcp-1, -0x1.a44969d28fe08p-1),
        ]
        for r in references {
            XCTAssertLessThanOrEqual(ulpDistance(ExactMath.sin(r.x), r.sin), 1, "sin(\(r.x))")
            XCTAssertLessThanOrEqual(ulpDistance(ExactMath.cos(r.x), r.cos), 1, "cos(\(r.x))")
            XCTAssertLessThanOrEqual(ulpDistance(ExactMath.sin(-r.x), -r.sin), 1, "sin(\(-r.x))")
        }
    }

    func testSpecialValues() {
        XCTAssertTrue(ExactMath.sin(Double.infinity).isNaN)
        XCTAssertTrue(ExactMath.cos(-Double.infinity).isNaN)
        XCTAssertTrue(ExactMath.sin(Double.nan).isNaN)
        XCTAssertEqual(ExactMath.sin(0.0), 0)
        XCTAssertEqual(ExactMath.sin(-0.0).sign, .minus)
        XCTAssertEqual(ExactMath.cos(0.0), 1)
        XCTAssertEqual(ExactMath.sin(1e-300), 1e-300)
    }

    func testFloatOverloads() {
        var rng = SplitMix64(seed: 25)
        for _ in 0..<5000 {
            let x = Float.random(in: -5000..<5000, using: &rng)
            XCTAssertEqual(ExactMath.sin(x), Float(ExactMath.sin(Double(x))))
            XCTAssertEqual(ExactMath.cos(x), Float(ExactMath.cos(Double(x))))
            XCTAssertLessThanOrEqual(Swift.abs(ExactMath.sin(x) - Foundation.sinf(x)), 1.0001 * Foundation.sinf(x).ulp)
        }
    }
}
