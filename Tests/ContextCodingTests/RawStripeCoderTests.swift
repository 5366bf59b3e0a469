import ExactMath
import Imaging
import XCTest
@testable import ContextCoding

/// The raw mode (payload version 4): uniform noise costs 8 bits a sample plus the payload's few fixed
/// bytes, below what the adaptive modes spend on it (issue 13: 64×64 gray noise was 196 bytes over
/// zopflipng's PNG plus the container's fixed bytes).
final class RawStripeCoderTests: XCTestCase {
    private func uniformNoise(_ width: Int, _ height: Int, gray: Bool, seed: UInt64) throws -> ModelImage {
        var random = SplitMix64(seed: seed)
        return try image(width, height) { _, _ in
            let r = UInt8(truncatingIfNeeded: random.next())
            if gray { return (r, r, r) }
            return (r, UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next()))
        }
    }

    func testUniformNoiseIsCodedRawAtEightBitsASample() throws {
        for gray in [true, false] {
            let noise = try uniformNoise(64, 64, gray: gray, seed: gray ? 1 : 2)
            let payload = try roundTrip([noise])
            let samples = 64 * 64 * (gray ? 1 : 3)
            XCTAssertEqual(payload[0], 4, "gray \(gray): version 4")
            XCTAssertEqual(payload[1], 128 | (gray ? ColourTransform.gray : .rgb).rawValue, "gray \(gray): the raw mode")
            XCTAssertLessThanOrEqual(payload.count, samples + 16, "gray \(gray): 8 bits a sample plus a few bytes")
        }
    }

    func testRawStripesSitBesideModelledOnesAndOddShapesRoundTrip() throws {
        // A tall image: its stripes alternate between noise (raw) and a flat colour (modelled).
        let width = 1 << 11
        let rows = ContextPixelCoder.stripeRows(width: width)
        var random = SplitMix64(seed: 9)
        let tall = try image(width, 3 * rows) { _, y in
            if (y / rows) % 2 == 1 { return (7, 7, 7) }
            let r = UInt8(truncatingIfNeeded: random.next())
            return (r, r, r)
        }
        let payload = try roundTrip([tall])
        XCTAssertEqual(payload[0], 4)
        XCTAssertEqual(Array(payload[1...3]).map { $0 & 128 != 0 }, [true, false, true])
        for (w, h) in [(1, 1), (1, 37), (37, 1), (3, 2)] {
            try roundTrip([try uniformNoise(w, h, gray: false, seed: UInt64(w * 100 + h))])
            try roundTrip([try uniformNoise(w, h, gray: true, seed: UInt64(w * 100 + h + 7))])
        }
    }

    func testRawModeBytes() throws {
        XCTAssertEqual(StripeMode(byte: 128, version: 4), StripeMode.raw(.gray))
        XCTAssertEqual(StripeMode(byte: 129, version: 4), StripeMode.raw(.rgb))
        XCTAssertNil(StripeMode(byte: 130, version: 4), "subtract-green samples do not fit 8 bits")
        XCTAssertNil(StripeMode(byte: 131, version: 4), "YCoCg-R samples do not fit 8 bits")
        XCTAssertNil(StripeMode(byte: 128 | 64, version: 4), "no copies over raw")
        XCTAssertNil(StripeMode(byte: 128, version: 3), "version 3 has no raw mode")
        XCTAssertEqual(StripeMode.raw(.rgb).byte, 129)
    }

    func testDamagedRawPayloadNeverDecodesSilently() throws {
        let noise = try uniformNoise(16, 16, gray: true, seed: 5)
        let coder = ContextPixelCoder()
        var payload = try coder.encode([noise], progress: nil)
        XCTAssertEqual(payload[0], 4)
        payload[1] = 130  // a raw mode byte no encoder writes
        XCTAssertThrowsError(try coder.decode(payload, shapes: [noise.shape(steps: 0)], progress: nil))
    }

    /// The golden payload of the raw mode (payload version 4), `Tests/Golden/context-raw.payload`: 12×9
    /// gray noise forced raw, then 7×5 colour noise forced raw (`checkGoldenPayload`).
    func testRawGoldenPayloadDecodesAndReencodes() throws {
        let pictures = [try uniformNoise(12, 9, gray: true, seed: 31), try uniformNoise(7, 5, gray: false, seed: 32)]
        try checkGoldenPayload(
            "context-raw.payload", version: 4, pictures: pictures, modes: [.raw(.gray), .raw(.rgb)])
    }
}
