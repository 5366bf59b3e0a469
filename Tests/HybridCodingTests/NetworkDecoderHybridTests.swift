import XCTest
import BitsBack
@testable import HybridCoding
import Imaging
import Model
import PixelCoding
import TestSupport

/// The hybrid coder with a network-decoder checkpoint (Tests/Golden/model-netdec.safetensors): bits-back
/// regions between context regions, each bits-back region's pixels coded after the decoder's pass on z_0.
final class NetworkDecoderHybridTests: XCTestCase {
    func testForcedMixedChoicesRoundTripWithTheNetworkDecoder() throws {
        let prior = try DiffusionPrior(checkpoint: Checkpoint(contentsOf: GoldenFiles.networkDecoderModel))
        XCTAssertEqual(prior.metadata.decoder, .network)
        let images = [
            try HybridCoderTests.mixedImage(width: 21, height: 13, seed: 1),
            try HybridCoderTests.mixedImage(width: 9, height: 17, seed: 2),
        ]
        let pattern: [RegionChoice] = [
            .bitsBack, .context, .bitsBack, .bitsBack, .context, .bitsBack,
            .context, .bitsBack, .bitsBack, .context, .bitsBack, .bitsBack,
        ]
        var payloads: [[UInt8]] = []
        for threads in [1, 3] {
            let coder = try HybridCoder(
                prior: prior, parameters: ChainParameters(steps: HybridCoderTests.steps), regionSide: 8, threads: threads)
            coder.forcedChoice = { pattern[$0] }
            let (payload, choices) = try coder.encodeChoosing(images, progress: nil)
            XCTAssertEqual(choices, pattern)
            let shapes = images.map { $0.shape(steps: HybridCoderTests.steps) }
            XCTAssertEqual(try coder.decode(payload, shapes: shapes, progress: nil), images)
            payloads.append(payload)
        }
        XCTAssertEqual(payloads[0], payloads[1], "the thread count changed the bytes")
    }
}
