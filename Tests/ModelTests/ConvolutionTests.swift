import Foundation
import XCTest
@testable import Model

/// The convolution and matrix-multiply kernels against naive float64 references.
final class ConvolutionTests: XCTestCase {
    /// Naive NCHW-weight conv on an HWC image, float64: out[y][x][co].
    private func reference(
        input: [Float], width: Int, height: Int, cin: Int, weight: [Float], bias: [Float], cout: Int
    ) -> [Double] {
        var out = [Double](repeating: 0, count: width * height * cout)
        for y in 0..<height {
            for x in 0..<width {
                for co in 0..<cout {
                    var sum = Double(bias[co])
                    for ci in 0..<cin {
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let yy = y + ky - 1, xx = x + kx - 1
                                guard yy >= 0, yy < height, xx >= 0, xx < width else { continue }
                                sum +=
                                    Double(input[(yy * width + xx) * cin + ci])
                                    * Double(weight[((co * cin + ci) * 3 + ky) * 3 + kx])
                            }
                        }
                    }
                    out[(y * width + x) * cout + co] = sum
                }
            }
        }
        return out
    }

    private func check(width: Int, height: Int, cin: Int, cout: Int, threads: Int) {
        var random = TestRandom(state: UInt64(width * 1000 + height * 10 + cin + cout))
        let input = random.values(width * height * cin)
        let weight = random.values(cout * cin * 9)
        let bias = random.values(cout)
        let convolution = Convolution3x3(weight: weight, bias: bias, inputChannels: cin, outputChannels: cout)
        let map = FeatureMap(width: width, height: height, channels: cin)
        for y in 0..<height { for x in 0..<width { for c in 0..<cin { map.pixel(y, x)[c] = input[(y * width + x) * cin + c] } } }
        let raw = FeatureMap(width: width, height: height, channels: cout)
        let activated = FeatureMap(width: width, height: height, channels: cout)
        convolution.apply(to: map, output: ConvolutionOutput(raw: raw, activated: activated), threads: threads)
        let expected = reference(input: input, width: width, height: height, cin: cin, weight: weight, bias: bias, cout: cout)
        var worst = 0.0
        for y in 0..<height {
            for x in 0..<width {
                for co in 0..<cout {
                    let e = expected[(y * width + x) * cout + co]
                    let got = raw.pixel(y, x)[co]
                    worst = max(worst, abs(Double(got) - e))
                    let silu = e / (1 + Foundation.exp(-e))
                    XCTAssertEqual(Double(activated.pixel(y, x)[co]), silu, accuracy: 1e-5 * max(1, abs(silu)))
                }
            }
        }
        // Sums of ≤ 9·32 products of values in [−1, 1): float32 rounding stays far below 1e-4.
        XCTAssertLessThan(worst, 2e-5 * Double(cin), "\(width)×\(height) \(cin)→\(cout)")
        // Zero border untouched.
        for x in -1...width { XCTAssertEqual(raw.pixel(-1, x)[0], 0); XCTAssertEqual(raw.pixel(height, x)[0], 0) }
    }

    func testMatchesNaiveReference() {
        check(width: 13, height: 11, cin: 15, cout: 8, threads: 1)
        check(width: 7, height: 5, cin: 8, cout: 32, threads: 2)
        check(width: 3, height: 4, cin: 5, cout: 3, threads: 1)  // narrower than a register block
        check(width: 6, height: 2, cin: 32, cout: 6, threads: 3)
        check(width: 20, height: 9, cin: 32, cout: 17, threads: 2)
        check(width: 30, height: 4, cin: 32, cout: 6, threads: 2)  // 12-pixel narrow blocks, shifted last block
        check(width: 12, height: 3, cin: 7, cout: 8, threads: 1)
    }

    /// A rectangle of output pixels computed alone equals those pixels of the whole output, bit for bit,
    /// and leaves every other pixel as it was (`Denoiser` computes a shrinking rectangle per layer).
    func testRectangleEqualsWholeOutput() {
        for (cin, cout, width, height) in [(32, 32, 20, 9), (32, 6, 30, 7), (5, 3, 4, 4)] {
            var random = TestRandom(state: UInt64(cin * 100 + cout))
            let convolution = Convolution3x3(
                weight: random.values(cout * cin * 9), bias: random.values(cout), inputChannels: cin,
                outputChannels: cout)
            let input = FeatureMap(width: width, height: height, channels: cin)
            for y in 0..<height { for x in 0..<width { for c in 0..<cin { input.pixel(y, x)[c] = random.next() } } }
            let whole = FeatureMap(width: width, height: height, channels: cout)
            convolution.apply(to: input, output: ConvolutionOutput(raw: whole), threads: 1)
            // Narrower than a register block at the left edge, inside, and ending at the right edge.
            let rectangles = [
                (0..<3, 0..<2), (min(5, width - 1)..<min(9, width), min(2, height - 1)..<min(5, height)),
                (1..<width, 1..<height), (width - 2..<width, 0..<1),
            ]
            for (columns, rows) in rectangles {
                let part = FeatureMap(width: width, height: height, channels: cout)
                for y in 0..<height { for x in 0..<width { for c in 0..<cout { part.pixel(y, x)[c] = -7 } } }
                convolution.apply(to: input, output: ConvolutionOutput(raw: part), rows: rows, columns: columns, threads: 2)
                for y in 0..<height {
                    for x in 0..<width {
                        for c in 0..<cout {
                            let expected = rows.contains(y) && columns.contains(x) ? whole.pixel(y, x)[c] : -7
                            XCTAssertEqual(
                                part.pixel(y, x)[c].bitPattern, expected.bitPattern,
                                "\(cin)→\(cout) (\(y), \(x)) \(columns) × \(rows)")
                        }
                    }
                }
            }
        }
    }

    func testResidualEpilogueAdds() {
        let cin = 4, cout = 16, width = 8, height = 3
        var random = TestRandom(state: 5)
        let convolution = Convolution3x3(
            weight: random.values(cout * cin * 9), bias: random.values(cout), inputChannels: cin, outputChannels: cout)
        let input = FeatureMap(width: width, height: height, channels: cin)
        for y in 0..<height { for x in 0..<width { for c in 0..<cin { input.pixel(y, x)[c] = random.next() } } }
        let plain = FeatureMap(width: width, height: height, channels: cout)
        convolution.apply(to: input, output: ConvolutionOutput(raw: plain), threads: 1)
        let stream = FeatureMap(width: width, height: height, channels: cout)
        for y in 0..<height { for x in 0..<width { for c in 0..<cout { stream.pixel(y, x)[c] = Float(c) } } }
        convolution.apply(to: input, output: ConvolutionOutput(raw: stream, residual: true), threads: 2)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<cout { XCTAssertEqual(stream.pixel(y, x)[c], Float(c) + plain.pixel(y, x)[c]) }
            }
        }
    }

    func testMatrixMultiplyMatchesNaiveAndThreadCount() {
        let rows = 120, depth = 300, columns = 32  // > one 16-block group, two depth blocks
        var random = TestRandom(state: 9)
        let a = random.values(rows * depth), b = random.values(depth * columns)
        let product = MatrixMultiply(b: b, rows: rows, depth: depth, columns: columns)
        let one = product.multiply(a, threads: 1)
        XCTAssertEqual(one, product.multiply(a, threads: 2))
        XCTAssertEqual(one, product.multiply(a, threads: 3))
        for i in 0..<rows {
            for j in 0..<columns {
                var sum = 0.0
                for k in 0..<depth { sum += Double(a[i * depth + k]) * Double(b[k * columns + j]) }
                XCTAssertEqual(Double(one[i * columns + j]), sum, accuracy: 1e-4)
            }
        }
    }
}
