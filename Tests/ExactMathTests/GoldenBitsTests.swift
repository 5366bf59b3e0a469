import Foundation
import XCTest
@testable import ExactMath

/// Golden bits: exact output bit patterns of ExactMath for fixed inputs, computed once by this
/// implementation and hard-coded here. Encoder and decoder must compute bit-identical frequencies, and
/// archives written today are decoded by future builds; so ANY change to these functions that alters a
/// single output bit breaks old archives. If this test fails, the change to the math must be reverted or
/// shipped with a new container format version — never "fixed" by updating the constants.
final class GoldenBitsTests: XCTestCase {
    static let inputs: [Double] = [
        -745.0, -700.5, -37.25, -10.0, -3.0, -1.0, -0.6931471805599453, -0.3, -1e-9, 1e-12, 0.1, 0.5,
        1.0, 2.5, 3.1, 6.283185307179586, 20.0, 88.7, 700.0, 4021.2386, 98765.4321, 1.0e22,
    ]

    func goldenRow(_ x: Double) -> [UInt64] {
        var row: [Double] = [
            ExactMath.exp(x), ExactMath.expm1(x), ExactMath.sin(x), ExactMath.cos(x), ExactMath.sigmoid(x),
            ExactMath.softplus(x), ExactMath.erf(x), ExactMath.erfc(x), ExactMath.normalCDF(x),
        ]
        let ax = Swift.abs(x)
        row += [ExactMath.log(ax), ExactMath.log1p(ax)]
        let p = ExactMath.sigmoid(x / 4)
        row.append(ExactMath.normalQuantile(p))
        return row.map(\.bitPattern)
    }

    func testGoldenBits() {
        let expected: [[UInt64]] = GoldenBitsTests.expectedBits
        XCTAssertEqual(expected.count, Self.inputs.count)
        for (x, want) in zip(Self.inputs, expected) {
            let got = goldenRow(x)
            XCTAssertEqual(got, want, "ExactMath output bits changed for x = \(x): this breaks existing archives")
        }
        // Float overloads.
        let floatInputs: [Float] = [-20.5, -1.25, 0.001, 0.75, 3.5, 1608.5]
        var floatBits: [UInt32] = []
        for x in floatInputs {
            floatBits += [
                ExactMath.exp(x).bitPattern, ExactMath.log(Swift.abs(x)).bitPattern,
                ExactMath.sin(x).bitPattern, ExactMath.cos(x).bitPattern, ExactMath.sigmoid(x).bitPattern,
            ]
        }
        XCTAssertEqual(floatBits, GoldenBitsTests.expectedFloatBits, "Float output bits changed: this breaks existing archives")
        // With GOLDEN_PRINT=1, also print the current table (only for deliberately creating a new format version).
        if ProcessInfo.processInfo.environment["GOLDEN_PRINT"] == "1" {
            for x in Self.inputs {
                print(
                    "        [" + goldenRow(x).map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: ", ")
                        + "],")
            }
            print("FLOAT " + floatBits.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: ", "))
        }
    }
}
