import ExactMath
import Foundation
import XCTest
@testable import ExactMath

/// ExactMath exp/expm1/log/log1p against glibc (an allowed oracle in tests; the library never calls it).
final class ExpLogTests: XCTestCase {
    func testExpMatchesLibm() {
        let inputs =
            uniformInputs(20000, -745.2, 709.8, seed: 1) + uniformInputs(20000, -2, 2, seed: 2)
            + logUniformInputs(5000, -60, 0, signed: true, seed: 3)
        let (err, at) = maxUlpError(inputs, ExactMath.exp, Foundation.exp)
        XCTAssertLessThanOrEqual(err, 1, "exp off by \(err) ulp at \(at)")
    }

    func testExpSpecialValues() {
        XCTAssertEqual(ExactMath.exp(Double(0)), 1)
        XCTAssertEqual(ExactMath.exp(Double.infinity), .infinity)
        XCTAssertEqual(ExactMath.exp(-Double.infinity), 0)
        XCTAssertTrue(ExactMath.exp(Double.nan).isNaN)
        XCTAssertEqual(ExactMath.exp(Double(710)), .infinity)
        XCTAssertEqual(ExactMath.exp(Double(-746)), 0)
        XCTAssertEqual(ExactMath.exp(Double(-740)), Foundation.exp(-740))  // subnormal result, rounded once
        XCTAssertEqual(ExactMath.exp(709.78), Foundation.exp(709.78))
        XCTAssertEqual(ExactMath.exp(Float(1)), Float(M_E))
        let fromLiteral = ExactMath.exp(1)  // integer literals resolve to the Double overload
        XCTAssertTrue(type(of: fromLiteral) == Double.self)
        XCTAssertEqual(ExactMath.exp(Float.infinity), .infinity)
    }

    func testExpm1MatchesLibm() {
        let inputs =
            uniformInputs(20000, -50, 709.7, seed: 4) + uniformInputs(20000, -1, 1, seed: 5)
            + logUniformInputs(20000, -70, 1, signed: true, seed: 6)
        let (err, at) = maxUlpError(inputs, ExactMath.expm1, Foundation.expm1)
        XCTAssertLessThanOrEqual(err, 3, "expm1 off by \(err) ulp at \(at)")
        XCTAssertEqual(ExactMath.expm1(-Double.infinity), -1)
        XCTAssertEqual(ExactMath.expm1(Double.infinity), .infinity)
        XCTAssertEqual(ExactMath.expm1(0x1p-80), 0x1p-80)
        XCTAssertEqual(ExactMath.expm1(-0.0).sign, .minus)
    }

    func testLogMatchesLibm() {
        let inputs =
            logUniformInputs(30000, -1074, 1024, signed: false, seed: 7)
            + uniformInputs(20000, 0.5, 2, seed: 8) + uniformInputs(5000, 0.999, 1.001, seed: 9)
        let (err, at) = maxUlpError(inputs, ExactMath.log, Foundation.log)
        XCTAssertLessThanOrEqual(err, 1, "log off by \(err) ulp at \(at)")
        XCTAssertEqual(ExactMath.log(Double(1)), 0)
        XCTAssertEqual(ExactMath.log(Double(0)), -.infinity)
        XCTAssertEqual(ExactMath.log(-0.0), -.infinity)
        XCTAssertTrue(ExactMath.log(Double(-1)).isNaN)
        XCTAssertEqual(ExactMath.log(Double.infinity), .infinity)
        XCTAssertEqual(ExactMath.log(Double.leastNonzeroMagnitude), Foundation.log(Double.leastNonzeroMagnitude))
        XCTAssertEqual(ExactMath.log(Float(2)), Float(M_LN2))
    }

    func testLog1pMatchesLibm() {
        let inputs =
            logUniformInputs(20000, -80, 1020, signed: false, seed: 10)
            + logUniformInputs(20000, -80, -0.0001, signed: true, seed: 11)
            + uniformInputs(10000, -0.9999, 3, seed: 12)
        let (err, at) = maxUlpError(inputs, ExactMath.log1p, Foundation.log1p)
        XCTAssertLessThanOrEqual(err, 3, "log1p off by \(err) ulp at \(at)")
        XCTAssertEqual(ExactMath.log1p(Double(-1)), -.infinity)
        XCTAssertTrue(ExactMath.log1p(Double(-2)).isNaN)
        XCTAssertEqual(ExactMath.log1p(Double.infinity), .infinity)
        XCTAssertEqual(ExactMath.log1p(0x1p-70), 0x1p-70)
    }

    func testSigmoidAndSoftplus() {
        let inputs = uniformInputs(20000, -800, 800, seed: 13) + uniformInputs(20000, -40, 40, seed: 14)
        let sigmoidOracle: (Double) -> Double = { x in
            x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        }
        let (e1, a1) = maxUlpError(inputs, ExactMath.sigmoid, sigmoidOracle)
        XCTAssertLessThanOrEqual(e1, 3, "sigmoid off by \(e1) ulp at \(a1)")
        let softplusOracle: (Double) -> Double = { x in
            x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))
        }
        let (e2, a2) = maxUlpError(inputs, ExactMath.softplus, softplusOracle)
        XCTAssertLessThanOrEqual(e2, 4, "softplus off by \(e2) ulp at \(a2)")
        XCTAssertEqual(ExactMath.sigmoid(Double(0)), 0.5)
        XCTAssertEqual(ExactMath.sigmoid(Double.infinity), 1)
        XCTAssertEqual(ExactMath.sigmoid(-Double.infinity), 0)
        XCTAssertEqual(ExactMath.softplus(Double.infinity), .infinity)
        XCTAssertEqual(ExactMath.softplus(-Double.infinity), 0)
        XCTAssertEqual(ExactMath.sigmoid(Float(0)), 0.5)
        XCTAssertTrue(ExactMath.sigmoid(Double.nan).isNaN)
    }

    func testFloatOverloadsRoundOnce() {
        var rng = SplitMix64(seed: 15)
        for _ in 0..<2000 {
            let x = Float.random(in: -80..<80, using: &rng)
            XCTAssertEqual(ExactMath.exp(x), Float(ExactMath.exp(Double(x))))
            XCTAssertLessThanOrEqual(Swift.abs(ExactMath.exp(x) - Foundation.expf(x)), Foundation.expf(x).ulp)
            XCTAssertEqual(ExactMath.sigmoid(x), Float(ExactMath.sigmoid(Double(x))))
            let y = Swift.abs(x) + 1e-3
            XCTAssertLessThanOrEqual(Swift.abs(ExactMath.log(y) - Foundation.logf(y)), Foundation.logf(y).ulp)
        }
    }
}
