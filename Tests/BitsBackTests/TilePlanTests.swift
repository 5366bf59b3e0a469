import XCTest
@testable import BitsBack
import PixelCoding
import Imaging
import TestSupport

final class TilePlanTests: XCTestCase {
    /// The tiles a cursor cuts when each target is the previous one × 5/4, from the smallest tile up
    /// (the shape of the targets the encoder picks as the stack grows).
    func tiles(_ plan: TilePlan, width: Int, height: Int, squareBands: Bool = true) -> [TileRect] {
        var cursor = TileCursor(plan: plan, width: width, height: height, squareBands: squareBands)
        var tiles: [TileRect] = []
        var target = plan.blockSize * plan.blockSize
        while let tile = cursor.next(target: target) {
            tiles.append(tile)
            target = min(plan.maxTilePixels, target * 5 / 4 + 1)
        }
        return tiles
    }

    /// The tiles cover every pixel exactly once, in the plan's bounds.
    func assertPartition(
        _ plan: TilePlan, width: Int, height: Int, squareBands: Bool = true,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let tiles = self.tiles(plan, width: width, height: height, squareBands: squareBands)
        var covered = [UInt8](repeating: 0, count: width * height)
        for t in tiles {
            XCTAssertGreaterThan(t.area, 0, file: file, line: line)
            XCTAssertLessThanOrEqual(t.area, plan.maxTilePixels + plan.blockSize * max(width, height), file: file, line: line)
            for y in t.y..<(t.y + t.height) { for x in t.x..<(t.x + t.width) { covered[y * width + x] += 1 } }
        }
        XCTAssertTrue(covered.allSatisfy { $0 == 1 }, "\(width)×\(height) not partitioned", file: file, line: line)
    }

    func testPartitionsManySizes() {
        let plans = [TilePlan.standard, TilePlan(blockSize: 4, maxTilePixels: 64)]
        for plan in plans {
            for (w, h) in [(1, 1), (1, 77), (77, 1), (33, 47), (768, 512), (512, 768), (1000, 3), (3, 1000), (17, 17)] {
                assertPartition(plan, width: w, height: h)
                assertPartition(plan, width: w, height: h, squareBands: false)
            }
        }
    }

    /// Areas grow by at most the targets' growth (plus rounding to whole rows and slivers), so that later
    /// tiles find enough bits on the stack; the first tile is small.
    func testAreasGrowGradually() {
        let plan = TilePlan.standard
        let tiles = self.tiles(plan, width: 768, height: 512)
        XCTAssertEqual(tiles.first?.area, plan.blockSize * plan.blockSize)
        var previousMax = 0
        for t in tiles {
            if previousMax > 0 {
                XCTAssertLessThanOrEqual(Double(t.area), 2.0 * Double(previousMax), "jump to \(t) after \(previousMax)")
            }
            previousMax = max(previousMax, t.area)
        }
    }

    /// Square bands (payload 2) cut the ramp into about square tiles: far less tile border without context
    /// (each tile's top and left edges inside the image) than the thin full-width bands of payload 1.
    func testSquareBandsShortenTheBordersOfTheRamp() {
        func borderLength(_ tiles: [TileRect]) -> Int {
            tiles.reduce(0) { $0 + ($1.y > 0 ? $1.width : 0) + ($1.x > 0 ? $1.height : 0) }
        }
        let square = tiles(.standard, width: 768, height: 512)
        let thin = tiles(.standard, width: 768, height: 512, squareBands: false)
        XCTAssertLessThan(
            Double(borderLength(square)), 0.6 * Double(borderLength(thin)),
            "square \(borderLength(square)) vs thin \(borderLength(thin))")
        XCTAssertEqual(square.first, TileRect(x: 0, y: 0, width: 4, height: 4))
    }
}
