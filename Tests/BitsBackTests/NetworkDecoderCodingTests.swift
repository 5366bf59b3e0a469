import Foundation
@testable import Model
import XCTest
@testable import BitsBack
import Imaging

/// The bits-back chain with the network decoder p(x | z_0) (tiny_nd: random weights, learned variance,
/// "decoder": "network"): exact round trips (odd sizes, several tiles with context), bytes independent of
/// the thread count, and the network term really in use.
final class NetworkDecoderCodingTests: XCTestCase {
    private func coder(_ prior: DiffusionPrior, steps: Int, plan: TilePlan = .standard, threads: Int = 1) throws
        -> BitsBackCoder
    {
        try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: steps, plan: plan), threads: threads)
    }

    private func roundTrip(_ images: [ModelImage], _ coder: BitsBackCoder, steps: Int) throws -> [UInt8] {
        let payload = try coder.encode(images, progress: nil)
        XCTAssertEqual(try coder.decode(payload, shapes: images.map { $0.shape(steps: steps) }, progress: nil), images)
        return payload
    }

    func testRoundTripOddSizesAndTilesWithContext() throws {
        for name in ["tiny_nd"] {
            let raw = try BitsBackCoderTests.prior(name)
            let calibrated = try BitsBackCoderTests.calibratedPrior(name)
            XCTAssertEqual(raw.metadata.decoder, .network)
            let images = try [(1, 1), (1, 5), (6, 1), (5, 7)].enumerated().map {
                try BitsBackCoderTests.image(width: $1.0, height: $1.1, seed: UInt64($0))
            }
            _ = try roundTrip(images, try coder(raw, steps: 3), steps: 3)
            // A small plan: several tiles per image, each seeing its right and lower neighbours as context.
            let plan = TilePlan(blockSize: 4, maxTilePixels: 64)
            let tiled = [try BitsBackCoderTests.image(width: 13, height: 11, seed: 9)]
            _ = try roundTrip(tiled, try coder(raw, steps: 4, plan: plan), steps: 4)
            _ = try roundTrip(tiled, try coder(calibrated, steps: 4, plan: plan), steps: 4)
        }
    }

    func testThreadCountDoesNotChangePayload() throws {
        let prior = try BitsBackCoderTests.calibratedPrior("tiny_nd")
        // 40×36: the pixel logits and estimates run on several threads (≥ 2048 sub-pixels).
        let images = [try BitsBackCoderTests.image(width: 40, height: 36, seed: 1)]
        let reference = try roundTrip(images, try coder(prior, steps: 2), steps: 2)
        for threads in [2, 3] {
            XCTAssertEqual(try roundTrip(images, try coder(prior, steps: 2, threads: threads), steps: 2), reference)
        }
    }

    /// The same weights declared with today's decoder (no `decoder` key, no `decoder_scale`) code other
    /// bytes: the network term is in use (both round-trip; their net bits are printed).
    func testNetworkTermChangesTheCode() throws {
        let network = try BitsBackCoderTests.calibratedPrior("tiny_nd")
        let original = network.checkpoint
        var object = try JSONSerialization.jsonObject(with: Data(original.metadata.json.utf8)) as! [String: Any]
        object["decoder"] = nil
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        var tensors: [(String, [Int], [Float])] = []
        for (name, shape) in Checkpoint.expectedShapes(original.metadata) where name != "decoder_scale" {
            tensors.append((name, shape, try original.tensor(name)))
        }
        let data = try SafeTensorsFile.serialize(tensors: tensors, metadata: ["vdmz": json])
        let uniform = try DiffusionPrior(
            checkpoint: try Checkpoint(file: SafeTensorsFile(data: data, path: "uniform"), url: URL(fileURLWithPath: "/u")))
        XCTAssertEqual(uniform.metadata.decoder, .uniform)
        let images = [try BitsBackCoderTests.image(width: 12, height: 10, seed: 4)]
        var bits: [Double] = []
        var payloads: [[UInt8]] = []
        for prior in [uniform, network] {
            let coder = try coder(prior, steps: 3)
            let (payload, report) = try coder.encodeMeasuring(images, progress: nil)
            XCTAssertEqual(try coder.decode(payload, shapes: images.map { $0.shape(steps: 3) }, progress: nil), images)
            payloads.append(payload)
            bits.append(report.imageBits[0])
        }
        XCTAssertNotEqual(payloads[0], payloads[1])
        print("12×10 image, T = 3: net coded bits, today's decoder \(bits[0]), network decoder \(bits[1])")
    }
}
