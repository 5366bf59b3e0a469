import XCTest
import ANS
import Bytes
import Imaging
@testable import BitsBack
import PixelCoding

/// Payloads made to spend a decoder's time and memory (issue 15, finding 2).
final class HostilePayloadTests: XCTestCase {
    /// The payload's parameter block and tile list (everything before the serialized message), and the message.
    private func split(_ payload: [UInt8]) throws -> (head: [UInt8], message: Message) {
        for offset in 19..<payload.count {
            if let message = try? Message(serialized: Array(payload[offset...])) { return (Array(payload[..<offset]), message) }
        }
        throw XCTSkip("no message found in the payload")
    }

    /// A file that claims a large first tile but holds a message that drew nothing: decoding stops as
    /// soon as it draws beyond what the encoder recorded, instead of drawing on for the whole tile.
    func testDecoderStopsWhenItDrawsMoreInitialBitsThanTheEncoderRecorded() throws {
        let image = try BitsBackCoderTests.image(width: 16, height: 16, seed: 3)
        let plan = TilePlan(blockSize: 16, maxTilePixels: 256)  // one tile: it draws all its initial bits
        let coder = try BitsBackCoder(
            prior: try BitsBackCoderTests.prior("tiny"), parameters: ChainParameters(steps: 2, plan: plan))
        let payload = try coder.encode([image], progress: nil)
        let (head, message) = try split(payload)
        XCTAssertGreaterThan(message.initialWordsDrawn, UInt64(2 * message.laneCount) + BitsBackCoder.initialWordsMargin)
        let hostile = head + (try Message(laneCount: message.laneCount, seed: 0)).serialized()
        XCTAssertThrowsError(try coder.decode(hostile, shapes: [image.shape(steps: 2)], progress: nil)) {
            XCTAssertEqual($0 as? BitsBackError, .corruptPayload("the decoder drew more initial bits than the encoder recorded"))
        }
        XCTAssertEqual(try coder.decode(payload, shapes: [image.shape(steps: 2)], progress: nil), [image])
    }

    /// The tile size a payload may ask for is capped (a 266-byte file claiming one 16384×16384 tile
    /// grew to 9.3 GB); the default plan stays far below the cap.
    func testTileSizeIsCapped() throws {
        XCTAssertLessThanOrEqual(TilePlan.standard.maxTilePixels, CoderLimits.maxTilePixels)
        XCTAssertNoThrow(
            try ChainParameters(steps: 8, plan: TilePlan(blockSize: 4, maxTilePixels: CoderLimits.maxTilePixels)).validate())
        for plan in [
            TilePlan(blockSize: 4, maxTilePixels: CoderLimits.maxTilePixels + 1),
            TilePlan(blockSize: 16384, maxTilePixels: 1 << 28),
        ] {
            XCTAssertThrowsError(try ChainParameters(steps: 8, plan: plan).validate())
            var reader = ByteReader(ChainParameters(steps: 8, plan: plan).encoded)
            XCTAssertThrowsError(try ChainParameters.decode(from: &reader))
        }
    }

    /// The work a payload demands is checked against what its size allows before anything is decoded.
    func testWorkBeyondTheLimitIsRefusedBeforeDecoding() throws {
        let image = try BitsBackCoderTests.image(width: 8, height: 8, seed: 4)
        let coder = try BitsBackCoder(prior: try BitsBackCoderTests.prior("tiny"), parameters: ChainParameters(steps: 2))
        let payload = try coder.encode([image], progress: nil)
        let work = coder.work(of: [TileRect(x: 0, y: 0, width: 8, height: 8)], steps: 2)
        XCTAssertGreaterThanOrEqual(work, 64 * 3)
        coder.limits = ImageLimits(maxWork: 10, workPerPayloadByte: 0)
        XCTAssertThrowsError(try coder.decode(payload, shapes: [image.shape(steps: 2)], progress: nil)) {
            guard case .workLimitExceeded? = $0 as? BitsBackError else { return XCTFail("\($0)") }
        }
        // The encoder refuses to write what the decoder would refuse.
        XCTAssertThrowsError(try coder.encode([image], progress: nil)) {
            guard case .workLimitExceeded? = $0 as? BitsBackError else { return XCTFail("\($0)") }
        }
        coder.limits = .standard
        XCTAssertEqual(try coder.decode(payload, shapes: [image.shape(steps: 2)], progress: nil), [image])
    }
}
