import Bytes
import XCTest
@testable import BitsBack
import ANS
import Model
import PixelCoding

/// Chain payload version 4: a large payload's message cut into streams (`ChainParameters.splittingIntoStreams`),
/// decoded exactly, with the same bytes on any thread count; small payloads and datasets keep version 3.
final class StreamsCodingTests: XCTestCase {
    func testStreamsAreChosenFromThePayloadSize() throws {
        let standard = ChainParameters(steps: 64)
        XCTAssertEqual(standard.version, 3)
        XCTAssertEqual(standard.splittingIntoStreams(forImageAreas: [32 * 32], atMost: 4), standard)
        XCTAssertEqual(standard.splittingIntoStreams(forImageAreas: [192 * 192], atMost: 4), standard)  // 110,592 < 2 · 2^16
        let crop = standard.splittingIntoStreams(forImageAreas: [256 * 256], atMost: 4)
        XCTAssertEqual(crop.version, 4)
        XCTAssertEqual(crop.streamCount, 2)
        XCTAssertEqual(crop.lanesPerStream(forImageAreas: [256 * 256]), 8)  // the crop's 16 lanes, shared out
        let kodak = standard.splittingIntoStreams(forImageAreas: [768 * 512], atMost: 4)
        XCTAssertEqual(kodak.streamCount, 4)
        XCTAssertEqual(kodak.lanesPerStream(forImageAreas: [768 * 512]), 4)
        XCTAssertEqual(standard.splittingIntoStreams(forImageAreas: [768 * 512], atMost: 1), standard)
        XCTAssertEqual(standard.splittingIntoStreams(forImageAreas: [768 * 512], atMost: 2).streamCount, 2)
        // Older versions asked for explicitly stay as they are.
        let old = ChainParameters(steps: 64, version: 2)
        XCTAssertEqual(old.splittingIntoStreams(forImageAreas: [768 * 512], atMost: 4), old)
        // The block: version 3's fields and one byte more, read back as written.
        XCTAssertEqual(kodak.encoded.count, standard.encoded.count + 1)
        var reader = ByteReader(kodak.encoded)
        XCTAssertEqual(try ChainParameters.decode(from: &reader), kodak)
        // A stream count in a block that cannot have one, or out of range, is refused.
        var bad = kodak
        bad.streamCount = Message.maxStreamCount + 1
        XCTAssertThrowsError(try bad.validate())
        var three = standard
        three.streamCount = 2
        XCTAssertThrowsError(try three.validate())
    }

    /// A 128×96 image (36,864 sub-pixels: 4 lanes) with streams of at least 2^13 sub-pixels: 4 streams.
    private func coder(threads: Int, prior: DiffusionPrior) throws -> BitsBackCoder {
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: 3), threads: threads)
        coder.streamMinimumSubpixels = 1 << 13
        return coder
    }

    func testAPayloadOfStreamsDecodesExactlyWithTheSameBytesOnAnyThreadCount() throws {
        let prior = try BitsBackCoderTests.calibratedPrior("tiny_lv")
        let image = try BitsBackCoderTests.image(width: 128, height: 96, seed: 3)
        var payloads: [[UInt8]] = []
        for threads in [1, 2, 3] {
            let coder = try coder(threads: threads, prior: prior)
            let (payload, report) = try coder.encodeMeasuring([image], progress: nil)
            payloads.append(payload)
            var reader = ByteReader(payload)
            let parameters = try ChainParameters.decode(from: &reader)
            XCTAssertEqual(parameters.version, 4)
            XCTAssertEqual(parameters.streamCount, 4)
            XCTAssertEqual(try coder.decode(payload, shapes: [image.shape(steps: 3)], progress: nil), [image])
            // Only the first tile draws initial bits, in both streams: a few words, not the image.
            XCTAssertLessThan(report.initialBits, 64 * 32)
        }
        XCTAssertEqual(payloads[0], payloads[1])
        XCTAssertEqual(payloads[0], payloads[2])
        // The same image without streams: version 3, about the same size.
        let plain = try coder(threads: 1, prior: prior)
        plain.streamCap = 1
        let single = try plain.encode([image], progress: nil)
        var reader = ByteReader(single)
        XCTAssertEqual(try ChainParameters.decode(from: &reader).version, 3)
        XCTAssertEqual(Double(payloads[0].count), Double(single.count), accuracy: 0.01 * Double(single.count))
        // A damaged stream length or message is an error, never a wrong image.
        let shape = image.shape(steps: 3)
        var damaged = payloads[0]
        damaged[damaged.count - 100] ^= 0x01
        XCTAssertThrowsError(try plain.decode(damaged, shapes: [shape], progress: nil))
    }

    func testADatasetChainKeepsOneStream() throws {
        let prior = try BitsBackCoderTests.calibratedPrior("tiny_lv")
        let coder = try coder(threads: 2, prior: prior)
        coder.laneCap = BitsBackCoder.datasetLaneCap
        let images = try (0..<3).map { try BitsBackCoderTests.image(width: 128, height: 96, seed: UInt64($0)) }
        let payload = try coder.encode(images, progress: nil)
        var reader = ByteReader(payload)
        let parameters = try ChainParameters.decode(from: &reader)
        XCTAssertEqual(parameters.version, 3)
        XCTAssertEqual(parameters.streamCount, 1)
    }
}
