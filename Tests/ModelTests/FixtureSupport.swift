import Foundation
import XCTest
@testable import Model

/// Access to the parity fixtures exported by training/export.py (Tests/ModelTests/Fixtures).
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures")
        else { throw XCTSkip("fixture \(name).safetensors is not in the test bundle") }
        return url
    }

    static func prior(_ name: String) throws -> DiffusionPrior {
        try DiffusionPrior(checkpoint: Checkpoint(contentsOf: url(name)))
    }

    static func file(_ name: String) throws -> SafeTensorsFile { try SafeTensorsFile(contentsOf: url(name)) }
}

/// Largest |a − b| over the largest |b|.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var maxDiff: Float = 0, maxRef: Float = 0
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(a[i] - b[i]))
        maxRef = max(maxRef, abs(b[i]))
    }
    return maxDiff / max(maxRef, .leastNormalMagnitude)
}

/// A deterministic pseudo-random float in [−1, 1) for test inputs.
struct TestRandom {
    var state: UInt64
    mutating func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
    }
    mutating func values(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}
