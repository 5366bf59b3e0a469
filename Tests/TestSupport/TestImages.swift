import Foundation
import XCTest
import ExactMath
import Imaging

/// Every PNG kind: colour type and bit depth.
public let allKinds: [(PNGColorType, Int)] = PNGColorType.allCases.flatMap { type in type.allowedBitDepths.map { (type, $0) } }

/// Sizes covering degenerate and odd shapes.
public let testSizes: [(Int, Int)] = [(1, 1), (1, 9), (9, 1), (2, 3), (33, 47)]

/// A synthetic image of the given kind: a smooth gradient plus noise, so that values span the range.
/// Palette images get a palette of 2^depth entries (at most 256) with some transparent entries.
public func makeImage(
    _ colorType: PNGColorType, bitDepth: Int, width: Int, height: Int, seed: UInt64 = 1,
    interlaced: Bool = false, transparency: [UInt8]? = nil, chunks: [PNGChunk] = []
) throws -> RasterImage {
    var random = SplitMix64(seed: seed)
    let channels = colorType.channelCount
    let maxValue = (1 << bitDepth) - 1
    var samples: [UInt8] = []
    samples.reserveCapacity(width * height * channels * 2)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                let ramp = Double(x + 2 * y + 5 * c) / Double(width + 2 * height + 15)
                var value = Int(ramp * Double(maxValue)) + Int(random.next() % 7) - 3
                value = min(max(value, 0), maxValue)
                if colorType == .palette { value = Int(random.next() % UInt64(min(256, maxValue + 1))) }
                if bitDepth == 16 {
                    samples.append(UInt8(value >> 8))
                    samples.append(UInt8(value & 255))
                } else {
                    samples.append(UInt8(value))
                }
            }
        }
    }
    var palette: [UInt8] = []
    var trns = transparency ?? []
    if colorType == .palette {
        let entries = min(256, 1 << bitDepth)
        palette = (0..<entries * 3).map { _ in random.nextByte() }
        if transparency == nil { trns = (0..<entries / 2).map { _ in random.nextByte() } }
    }
    return try RasterImage(
        width: width, height: height, colorType: colorType, bitDepth: bitDepth, samples: samples,
        palette: palette, transparency: trns, chunks: chunks, isInterlaced: interlaced)
}

/// Colour-management chunks with arbitrary (but fixed) contents, at their usual places.
public func colorChunks() throws -> [PNGChunk] {
    [
        try PNGChunk(name: "gAMA", location: .beforePalette, data: [0, 0, 0xB1, 0x8F]),
        try PNGChunk(name: "cHRM", location: .beforePalette, data: (0..<32).map { UInt8($0 * 7) }),
        try PNGChunk(name: "sRGB", location: .beforePalette, data: [0]),
        try PNGChunk(
            name: "iCCP", location: .beforePalette, data: Array("test\u{0}\u{0}".utf8) + [0x78, 0x9C, 0x03, 0, 0, 0, 0, 1]),
        try PNGChunk(name: "pHYs", location: .beforeImageData, data: [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]),
    ]
}

/// The package root (three levels above this file) and the shared corpora next to it.
public let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()
/// The shared corpora beside the repository (read-only; absent on machines without them).
public let sharedCorporaDirectory = packageRoot + "/../shared/corpora"
public let kodakDirectory = sharedCorporaDirectory + "/kodak"

/// The path of the shared corpus `name`, or an `XCTSkip` that says the test needs it and where it looks.
public func sharedCorpus(_ name: String) throws -> String {
    let path = sharedCorporaDirectory + "/" + name
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw XCTSkip("needs the shared corpus \(name) at \(path) (../shared/corpora beside the repository); not found")
    }
    return path
}
