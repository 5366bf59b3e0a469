import XCTest
@testable import Model

/// The network output is bit-identical for 1, 2 and 3 threads and for any tiling (docs/DESIGN.md §3).
final class DeterminismTests: XCTestCase {
    /// Number of elements whose bits differ (0 when identical); keeps failure messages short.
    private func differences(_ a: [Float]?, _ b: [Float]?) -> Int {
        guard let a, let b else { return a == nil && b == nil ? 0 : -1 }
        guard a.count == b.count else { return -1 }
        return zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
    }

    private func check(_ prior: DiffusionPrior, width: Int, height: Int, tileSizes: [Int]) throws {
        var random = TestRandom(state: 77)
        let z = random.values(3 * width * height).map { $0 * 2 }
        let gamma: Float = -3.25
        let whole = try prior.denoiser.evaluate(z: z, width: width, height: height, gamma: gamma, threads: 1, tileSize: 4096)
        XCTAssertTrue(whole.epsilon.contains { $0 != 0 })
        for threads in [2, 3] {
            let other = try prior.denoiser.evaluate(
                z: z, width: width, height: height, gamma: gamma, threads: threads, tileSize: 4096)
            XCTAssertEqual(differences(other.epsilon, whole.epsilon), 0, "threads \(threads)")
            XCTAssertEqual(differences(other.v, whole.v), 0, "threads \(threads)")
        }
        for tile in tileSizes {
            let tiled = try prior.denoiser.evaluate(z: z, width: width, height: height, gamma: gamma, threads: 2, tileSize: tile)
            XCTAssertEqual(differences(tiled.epsilon, whole.epsilon), 0, "tile \(tile)")
            XCTAssertEqual(differences(tiled.v, whole.v), 0, "tile \(tile)")
        }
    }

    func testTinyFixtureModel() throws {
        try check(Fixtures.prior("tiny"), width: 37, height: 29, tileSizes: [1, 5, 8, 16])
    }

    func testLearnedVarianceModel() throws {
        try check(Fixtures.prior("tiny_lv"), width: 23, height: 17, tileSizes: [3, 10])
    }

    /// C = 32 exercises full 16-wide panels; B = 1 keeps it fast in debug builds.
    func testWideSyntheticModel() throws {
        let prior = try DiffusionPrior(checkpoint: .synthetic(channels: 32, blocks: 1, learnedVariance: true))
        try check(prior, width: 19, height: 14, tileSizes: [7])
    }

    /// Each of `rectangles` evaluated alone equals that rectangle of the whole-image output, bit for bit.
    private func checkRectangles(
        _ prior: DiffusionPrior, width: Int, height: Int, seed: UInt64, gamma: Float,
        rectangles: [(Range<Int>, Range<Int>)], tileSize: Int
    ) throws {
        var random = TestRandom(state: seed)
        let z = random.values(3 * width * height)
        let whole = try prior.denoiser.evaluate(z: z, width: width, height: height, gamma: gamma, threads: 2)
        for (columns, rows) in rectangles {
            let part = try prior.denoiser.evaluate(
                z: z, width: width, height: height, columns: columns, rows: rows, gamma: gamma, threads: 3,
                tileSize: tileSize)
            func crop(_ values: [Float]) -> [Float] {
                var out: [Float] = []
                for c in 0..<3 { for y in rows { for x in columns { out.append(values[(c * height + y) * width + x]) } } }
                return out
            }
            XCTAssertEqual(differences(part.epsilon, crop(whole.epsilon)), 0, "\(columns) × \(rows)")
            XCTAssertEqual(differences(part.v, whole.v.map(crop)), 0, "\(columns) × \(rows)")
        }
    }

    /// A rectangle evaluated alone equals that rectangle of the whole-image output, bit for bit.
    func testRectangleEqualsCropOfWholeImage() throws {
        let prior = try Fixtures.prior("tiny_lv")
        try checkRectangles(
            prior, width: 31, height: 22, seed: 12, gamma: 1.5,
            rectangles: [(3..<17, 5..<9), (0..<31, 21..<22), (20..<31, 0..<22)], tileSize: 6)
        XCTAssertThrowsError(
            try prior.denoiser.evaluate(
                z: [Float](repeating: 0, count: 3 * 31 * 22), width: 31, height: 22, columns: 30..<32, rows: 0..<1,
                gamma: 0))
    }

    /// The coder's pattern: a tile at the top-left corner of its region (the region is the whole input),
    /// narrower than a register block, with full 16-wide panels (C = 32), as one network tile.
    func testCornerRectangleOfWideModel() throws {
        let prior = try DiffusionPrior(checkpoint: .synthetic(channels: 32, blocks: 2, learnedVariance: true))
        try checkRectangles(
            prior, width: 17, height: 13, seed: 21, gamma: -1,
            rectangles: [(0..<4, 0..<4), (0..<9, 0..<3), (0..<17, 0..<5)],
            tileSize: prior.denoiser.tileSize(coveringWhole: 17, height: 13))
    }

    func testRepeatedEvaluationIsIdentical() throws {
        let prior = try Fixtures.prior("tiny")
        var random = TestRandom(state: 3)
        let z = random.values(3 * 16 * 9)
        let a = try prior.denoiser.evaluate(z: z, width: 16, height: 9, gamma: 0.5, threads: 2)
        let b = try prior.denoiser.evaluate(z: z, width: 16, height: 9, gamma: 0.5, threads: 2)
        XCTAssertEqual(differences(a.epsilon, b.epsilon), 0)
    }
}
