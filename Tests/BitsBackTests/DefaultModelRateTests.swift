import Foundation
import Model
import XCTest
@testable import BitsBack
import PixelCoding
import Imaging
import TestSupport

/// The shipped checkpoint codes real images close to its own ELBO and decodes them exactly.
final class DefaultModelRateTests: XCTestCase {
    func testCIFARImagesCodeNearTheELBOInDatasetMode() throws {
        let path = URL(fileURLWithPath: try sharedCorpus("cifar10") + "/test_images.npy")
        guard let data = try? Data(contentsOf: path) else { throw XCTSkip("missing \(path.path)") }
        let array = try NPYImages(npyData: [UInt8](data))
        let images = try (0..<12).map { try ModelImage(width: array.width, height: array.height, pixels: Array(array.image($0))) }
        let prior = try DiffusionPrior(checkpoint: Checkpoint.loadDefault())
        let steps = prior.metadata.codingSteps
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: steps), threads: 2)
        var report = CodingReport()
        let payload: [UInt8]
        (payload, report) = try coder.encodeMeasuring(images, progress: nil)
        XCTAssertEqual(try coder.decode(payload, shapes: images.map { $0.shape(steps: steps) }, progress: nil), images)
        var noise = GaussianNoise(seed: 11)
        var elboBits = 0.0
        for image in images {
            let planar = planarPixels(interleaved: image.pixels, width: image.width, height: image.height)
            let terms = try prior.negativeELBO(
                pixels: planar, width: image.width, height: image.height, steps: steps,
                threads: 2
            ) { _ in noise.next(count: planar.count) }
            elboBits += terms.total * Double(planar.count)
        }
        let coded = report.imageBits.reduce(0, +)
        print(
            "default model, 12 cifar-500 images, T=\(steps): net coded \(coded / Double(12 * 3072)) bits/dim, ELBO \(elboBits / Double(12 * 3072))"
        )
        // Both are one-sample estimates (Monte-Carlo noise ≈ 0.5 % over 12 images, and the first image carries
        // the tile ramp); measured +0.75 % with the step-31,063 model.
        XCTAssertEqual(coded / elboBits, 1, accuracy: 0.02)
    }
}
