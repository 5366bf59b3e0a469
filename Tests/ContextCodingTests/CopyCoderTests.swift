import ANS
import ExactMath
import Foundation
import Imaging
import PixelCoding
import TestSupport
import XCTest
@testable import ContextCoding

/// The copy layer (payload version 3, mode bit 6: `CopyCoder`, `CopyParser`).
final class CopyCoderTests: XCTestCase {
    /// Lines of "text" in a made-up 6 × 9 font of 12 glyphs: words repeat, as in waterloo_text. Row r of
    /// glyph k has the colour colours[(7k + r) % colours.count], on a white background.
    private func glyphText(_ width: Int, _ height: Int, colours: [(UInt8, UInt8, UInt8)]) throws -> ModelImage {
        var random = SplitMix64(seed: 77)
        let glyphs = (0..<12).map { _ in (0..<54).map { _ in random.next() % 3 == 0 } }
        let words = [[1, 4, 2, 7], [3, 3, 9], [5, 0, 11, 6, 8], [10, 2]]
        var lines: [[Int]] = []
        for line in 0...(height / 11) {
            var glyphsOfLine: [Int] = []
            for k in 0..<6 { glyphsOfLine += words[(line * 3 + k * (line % 2 + 1)) % words.count] + [-1] }
            lines.append(glyphsOfLine)
        }
        return try image(width, height) { x, y in
            let line = lines[y / 11], (row, column) = (y % 11, x / 7)
            guard row < 9, x % 7 < 6, column < line.count, line[column] >= 0 else { return (255, 255, 255) }
            let glyph = line[column]
            return glyphs[glyph][row * 6 + x % 7] ? colours[(glyph * 7 + row) % colours.count] : (255, 255, 255)
        }
    }

    /// 40 distinct glyph colours (too many for the palette mode).
    private func manyColours() -> [(UInt8, UInt8, UInt8)] {
        (0..<40).map { (k: Int) -> (UInt8, UInt8, UInt8) in (UInt8(k * 6), UInt8(255 - k * 5), UInt8((k * 53) & 255)) }
    }

    /// The bytes of one stripe's message under `mode`.
    private func size(_ picture: ModelImage, _ mode: StripeMode) throws -> Int {
        var message = try Message(laneCount: 1)
        message.pushForSequentialPop(try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: picture.height, mode: mode))
        return message.serializedByteCount
    }

    /// Decodes one image forced to `mode` (payload version 3).
    private func forcedRoundTrip(_ picture: ModelImage, _ mode: StripeMode, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        var message = try Message(laneCount: 1)
        message.pushForSequentialPop(try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: picture.height, mode: mode))
        let payload = [3, mode.byte] + message.serialized()
        let decoded = try ContextPixelCoder().decode(payload, shapes: [picture.shape(steps: 0)], progress: nil)
        XCTAssertEqual(decoded, [picture], "mode \(mode.byte)", file: file, line: line)
    }

    func testRepeatedGlyphsAreCopiedAndSmaller() throws {
        // Two colours: the palette model under the copy layer.
        let text = try glyphText(200, 120, colours: [(0, 0, 0)])
        let payload = try roundTrip([text])
        XCTAssertTrue([3, 5].contains(payload[0]), "a payload with copies is version 3 (5 with an indexed stripe)")
        let mode = try XCTUnwrap(StripeMode(byte: payload[1], version: payload[0]))
        XCTAssertTrue(mode.usesCopies)
        XCTAssertTrue(mode.usesPalette || mode.usesIndices, "a few-colour model under the copies, not \(payload[1])")
        var without = mode
        without.usesCopies = false
        XCTAssertLessThan(try size(text, mode) * 3, try size(text, without) * 2, "copies save at least a third")
        // 40 glyph colours (no palette mode): a predictive model under the copy layer.
        let colours = manyColours()
        let coloured = try glyphText(210, 99, colours: colours)
        let colouredPayload = try roundTrip([coloured])
        let colouredMode = try XCTUnwrap(StripeMode(byte: colouredPayload[1], version: colouredPayload[0]))
        XCTAssertTrue(colouredMode.usesCopies)
        XCTAssertFalse(colouredMode.usesPalette)
    }

    func testPayloadsWithoutCopiesStayVersion2() throws {
        let payload = try roundTrip([try noisy(40, 30, seed: 4)])
        XCTAssertEqual(payload[0], 2)
        XCTAssertEqual(payload[1] & 64, 0)
    }

    /// Mode bytes with bit 6 (every mode also round-trips with copies: `ContextPixelCoderTests.testEveryModeRoundTripsWhenForced`).
    func testCopyModeBytes() throws {
        XCTAssertEqual(StripeMode(byte: 72, version: 3), StripeMode.palette.withCopies)
        XCTAssertEqual(StripeMode(byte: 32 | 64 | 5, version: 3), StripeMode.weighted(.rgb, matchesNeighbours: true).withCopies)
        XCTAssertNil(StripeMode(byte: 72, version: 2))
        XCTAssertNil(StripeMode(byte: 64 | 9, version: 3))
        XCTAssertNil(StripeMode(byte: 128 | 64, version: 3))
    }

    /// Degenerate and adversarial inputs: all equal, random, long periodic rows, one row, one column.
    func testAdversarialInputsRoundTrip() throws {
        var random = SplitMix64(seed: 21)
        let cases: [(String, ModelImage)] = [
            ("all equal", try image(300, 200) { _, _ in (7, 7, 7) }),
            ("random", try image(64, 48) { _, _ in (random.nextByte(), random.nextByte(), random.nextByte()) }),
            ("random bits", try image(128, 64) { _, _ in random.next() & 1 == 0 ? (0, 0, 0) : (255, 255, 255) }),
            ("periodic rows", try image(3000, 4) { x, y in (UInt8((x * 37 + y) % 7 * 30), UInt8(x % 5), 9) }),
            ("1 × N", try image(1, 5000) { _, y in (UInt8(y % 13), UInt8(y % 13), UInt8(y % 13)) }),
            ("N × 1", try image(5000, 1) { x, _ in (UInt8(x % 11 * 20), 3, UInt8(x % 3)) }),
            ("1 × 1", try image(1, 1) { _, _ in (1, 2, 3) }),
        ]
        for (name, picture) in cases {
            let payload = try roundTrip([picture])
            XCTAssertLessThan(payload.count, 4 * picture.width * picture.height + 64, name)
            if ContextPixelCoder.palette(of: picture.pixels, width: picture.width, firstRow: 0, rows: picture.height) != nil {
                try forcedRoundTrip(picture, .palette.withCopies)
            }
            try forcedRoundTrip(picture, StripeMode(transform: .rgb, matchesNeighbours: false).withCopies)
        }
        // A period of 7 over 12,000 pixels: a few copies do it.
        let periodic = try roundTrip([cases[3].1])
        XCTAssertTrue([3, 5].contains(periodic[0]))
        XCTAssertEqual(StripeMode(byte: periodic[1], version: periodic[0])?.usesCopies, true)
        XCTAssertLessThan(periodic.count, 120)
    }

    /// The parser's work is bounded on a stripe of 2^20 equal pixels and on random bits (short matches
    /// everywhere, long hash chains): it finishes, and on the equal pixels a handful of copies cover all.
    func testParserIsBoundedOnLargeAdversarialStripes() throws {
        let n = 1 << 20
        let equal = CopyParser(
            width: 1024, keys: [UInt32](repeating: 5, count: n), literalCosts: [Int32](repeating: 64, count: n), keyLength: 16)
        let parse = try XCTUnwrap(equal.parse())
        XCTAssertLessThanOrEqual(parse.plan.count, 4)
        XCTAssertEqual(parse.plan.reduce(0) { $0 + $1.length }, n - 1)
        var random = SplitMix64(seed: 5)
        let bits = (0..<(1 << 16)).map { _ in UInt32(random.next() & 1) }
        let noisy = CopyParser(width: 256, keys: bits, literalCosts: [Int32](repeating: 256, count: bits.count), keyLength: 16)
        if let parse = noisy.parse() {
            XCTAssertLessThan(parse.cost, parse.literalCost)
            for match in parse.plan {
                XCTAssertGreaterThanOrEqual(match.start, match.distance)
                XCTAssertEqual(
                    bits[match.start..<match.start + match.length], bits[(match.start - match.distance)...].prefix(match.length))
            }
        }
    }

    func testCopiesThatReachOutsideTheStripeAreRejected() throws {
        // A stripe whose first pixel claims a copy: kind 3 with offsets dy = 0, dx = −1 at pixel 0.
        let picture = try image(5, 3) { x, _ in (UInt8(x), 0, 0) }
        var recorder = IntervalRecorder()
        let kinds = AdaptiveDistributions(contexts: CopyCoder.kindContexts, alphabet: 4)
        let tokens = AdaptiveDistributions(contexts: 3, alphabet: CopyCoder.tokenAlphabet)
        var kind = 3, zero = 0
        recorder.code(&kind, kinds, context: 0)
        recorder.code(&zero, tokens, context: 0)
        recorder.code(&zero, tokens, context: 0)
        recorder.code(&zero, tokens, context: 0)
        var message = try Message(laneCount: 1)
        message.pushForSequentialPop(recorder.intervals)
        let payload = [3, StripeMode(transform: .rgb, matchesNeighbours: false).withCopies.byte] + message.serialized()
        XCTAssertThrowsError(try ContextPixelCoder().decode(payload, shapes: [picture.shape(steps: 0)], progress: nil)) {
            XCTAssertEqual($0 as? ContextCodingError, .corruptPayload)
        }
    }

    func testExponentTokensAndBitCosts() {
        for u in [0, 1, 15, 16, 17, 31, 32, 1000, 4095, 4096, 65_535, 65_536, (1 << 24) - 1, 1 << 24] {
            let (token, extra, bits) = ExponentToken.split(u)
            XCTAssertLessThan(token, CopyCoder.tokenAlphabet)
            XCTAssertEqual(bits, ExponentToken.extraBits(of: token))
            XCTAssertLessThan(extra, 1 << bits)
            XCTAssertEqual(ExponentToken.value(token: token, extra: extra), u)
        }
        XCTAssertEqual(BitCost.log2(1), 0)
        XCTAssertEqual(BitCost.log2(2), 256)
        XCTAssertEqual(BitCost.log2(3), 405)  // ⌊256 · 1.58496…⌋
        XCTAssertEqual(BitCost.log2(1000), 2551)  // ⌊256 · 9.96578…⌋
        XCTAssertEqual(BitCost.log2(1 << 40), 40 * 256)
        XCTAssertEqual(Int(BitCost.ofFrequency[32768]), 256, "half the range costs one bit")
        for d in [1, 2, 7, 255, 256, 257, 300, 1000] {
            for w in [1, 2, 7, 256] {
                let (dy, dx) = CopyCoder.offsets(of: d, width: w)
                XCTAssertEqual(dy * w - dx, d)
                XCTAssertGreaterThanOrEqual(CopyCoder.columnValue(dy: dy, dx: dx), 0)
            }
        }
    }

    /// The golden payload of the copy layer (payload version 3), `Tests/Golden/context-copy.payload`: the
    /// two-colour glyph text forced to the palette model with copies, then the 40-colour glyph text under
    /// the weighted model with neighbour matching and copies, then under YCoCg-R `StripeCoder` with
    /// copies (`checkGoldenPayload`; re-encoding also checks that the parse is deterministic).
    func testCopyGoldenPayloadDecodesAndReencodes() throws {
        let colours = manyColours()
        let pictures = [
            try glyphText(90, 50, colours: [(0, 0, 0)]), try glyphText(60, 40, colours: colours),
            try glyphText(60, 40, colours: colours),
        ]
        let modes: [StripeMode] = [
            StripeMode.palette.withCopies, StripeMode.weighted(.rgb, matchesNeighbours: true).withCopies,
            StripeMode(transform: .ycocg, matchesNeighbours: false).withCopies,
        ]
        try checkGoldenPayload("context-copy.payload", version: 3, pictures: pictures, modes: modes)
    }
}
