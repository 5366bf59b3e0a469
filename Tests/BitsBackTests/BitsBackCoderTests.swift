import Foundation
@testable import Model
import XCTest
@testable import BitsBack
import PixelCoding
import Imaging
import TestSupport
import Bytes

/// Round trips of the bits-back chain with the tiny test checkpoints of Tests/ModelTests/Fixtures
/// (random weights: the rates are high, but coding must be exact and close to the model's ELBO).
final class BitsBackCoderTests: XCTestCase {
    /// A calibrated untrained prior: the tiny fixture checkpoint with its output layer scaled by 10⁻³,
    /// so ε̂ ≈ 0 and v ≈ 0 (the predictions of a model that knows nothing, but not wildly wrong ones).
    /// The raw random fixtures predict ε̂ far outside every coding window, which codes correctly but
    /// through escapes only, and says nothing about the rate.
    static func calibratedPrior(_ name: String) throws -> DiffusionPrior {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelTests/Fixtures/\(name).safetensors")
        let original = try Checkpoint(contentsOf: url)
        var tensors: [(String, [Int], [Float])] = []
        for (tensorName, shape) in Checkpoint.expectedShapes(original.metadata) {
            var values = try original.tensor(tensorName)
            if tensorName.hasPrefix("conv_out.") { values = values.map { $0 * 1e-3 } }
            tensors.append((tensorName, shape, values))
        }
        let data = try SafeTensorsFile.serialize(tensors: tensors, metadata: ["vdmz": original.metadata.json])
        return try DiffusionPrior(
            checkpoint: try Checkpoint(
                file: SafeTensorsFile(data: data, path: name), url: URL(fileURLWithPath: "/calibrated-\(name)")))
    }

    static func prior(_ name: String) throws -> DiffusionPrior {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelTests/Fixtures/\(name).safetensors")
        return try DiffusionPrior(checkpoint: try Checkpoint(contentsOf: url))
    }

    static func image(width: Int, height: Int, seed: UInt64) throws -> ModelImage {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                let base = (x * 7 + y * 5) % 200
                for c in 0..<3 { pixels[(y * width + x) * 3 + c] = UInt8((base + c * 20 + Int(state % 24)) % 256) }
            }
        }
        return try ModelImage(width: width, height: height, pixels: pixels)
    }

    func roundTrip(
        _ images: [ModelImage], checkpoint: String, steps: Int, plan: TilePlan = .standard,
        threads: Int = 1
    ) throws -> (payload: [UInt8], report: CodingReport) {
        let coder = try BitsBackCoder(
            prior: try Self.prior(checkpoint), parameters: ChainParameters(steps: steps, plan: plan), threads: threads)
        var report = CodingReport()
        let payload: [UInt8]
        (payload, report) = try coder.encodeMeasuring(images, progress: nil)
        let decoded = try coder.decode(payload, shapes: images.map { $0.shape(steps: steps) }, progress: nil)
        XCTAssertEqual(decoded, images)
        return (payload, report)
    }

    func testRoundTripOddSizesFixedVariance() throws {
        let images = try [(1, 1), (1, 5), (6, 1), (5, 7)].enumerated().map {
            try Self.image(width: $1.0, height: $1.1, seed: UInt64($0))
        }
        _ = try roundTrip(images, checkpoint: "tiny", steps: 3)
    }

    func testRoundTripLearnedVarianceWithTiles() throws {
        // A small plan forces several tiles per image.
        let plan = TilePlan(blockSize: 4, maxTilePixels: 64)
        let images = [try Self.image(width: 13, height: 11, seed: 9)]
        let result = try roundTrip(images, checkpoint: "tiny_lv", steps: 4, plan: plan)
        XCTAssertGreaterThan(result.report.imageBits[0], 0)
    }

    func testThreadCountDoesNotChangePayload() throws {
        let images = [try Self.image(width: 9, height: 8, seed: 3)]
        let one = try roundTrip(images, checkpoint: "tiny_lv", steps: 2, threads: 1)
        let two = try roundTrip(images, checkpoint: "tiny_lv", steps: 2, threads: 3)
        XCTAssertEqual(one.payload, two.payload)
    }

    /// Tiles large enough that the entropy coder's per-element work and the chain's bookkeeping run on
    /// several threads (`Message.parallelMinimum` elements): one image alone, and two images on one chain
    /// of the dataset's lane cap.
    func testThreadCountDoesNotChangePayloadOfParallelBatches() throws {
        let images = [try Self.image(width: 40, height: 36, seed: 1), try Self.image(width: 33, height: 30, seed: 2)]
        for (set, laneCap) in [([images[0]], nil), (images, BitsBackCoder.datasetLaneCap)] {
            var reference: [UInt8]?
            for threads in [1, 2, 3] {
                let coder = try BitsBackCoder(
                    prior: try Self.prior("tiny_lv"), parameters: ChainParameters(steps: 2), threads: threads)
                coder.laneCap = laneCap
                let payload = try coder.encode(set, progress: nil)
                if let reference { XCTAssertEqual(payload, reference, "\(threads) threads") } else { reference = payload }
                XCTAssertEqual(try coder.decode(payload, shapes: set.map { $0.shape(steps: 2) }, progress: nil), set)
            }
        }
    }

    func testDamagedPayloadNeverDecodesSilently() throws {
        let images = [try Self.image(width: 4, height: 3, seed: 5)]
        let coder = try BitsBackCoder(prior: try Self.prior("tiny"), parameters: ChainParameters(steps: 2))
        let payload = try coder.encode(images, progress: nil)
        var wrong = 0
        for index in stride(from: 0, to: payload.count, by: max(1, payload.count / 40)) {
            var damaged = payload
            damaged[index] ^= 0x10
            if let decoded = try? coder.decode(damaged, shapes: [images[0].shape(steps: 2)], progress: nil),
                decoded != images
            {
                wrong += 1
            }
        }
        XCTAssertEqual(wrong, 0, "a damaged payload decoded to a wrong image without an error")
    }

    func testTileListRoundTripsInBothVersions() throws {
        let areas = [4, 9, 100, 1, 50, 50]
        let targets = [[4], [9], [16, 30, 100], [1], [50], [20, 50]]
        for version: UInt8 in [1, 2] {
            var writer = ByteWriter()
            TileList.write(targets, areas: areas, runLength: version >= 2, to: &writer)
            var reader = ByteReader(writer.bytes)
            XCTAssertEqual(try TileList.read(&reader, areas: areas, runLength: version >= 2), targets, "version \(version)")
            XCTAssertTrue(reader.isAtEnd)
            for length in 0..<writer.bytes.count {
                var truncated = ByteReader(Array(writer.bytes.prefix(length)))
                XCTAssertThrowsError(try TileList.read(&truncated, areas: areas, runLength: version >= 2))
            }
        }
        // A dataset of single-tile images: one byte per image in version 1, one run in version 2.
        let many = [[Int]](repeating: [1024], count: 500)
        var v1 = ByteWriter(), v2 = ByteWriter()
        TileList.write(many, areas: [Int](repeating: 1024, count: 500), runLength: false, to: &v1)
        TileList.write(many, areas: [Int](repeating: 1024, count: 500), runLength: true, to: &v2)
        XCTAssertEqual(v1.bytes.count, 500)
        XCTAssertEqual(v2.bytes.count, 2)
        // A run longer than the images left, or an image of one tile outside a run, is refused.
        var long = ByteReader([3])
        XCTAssertThrowsError(try TileList.read(&long, areas: [1, 1], runLength: true))
        var single = ByteReader([0, 1, 4, 0])
        XCTAssertThrowsError(try TileList.read(&single, areas: [4], runLength: true))
    }

    func testVersion1PayloadsStillDecode() throws {
        // Payloads written before the run-length tile list (chain parameter version 1) stay readable.
        let plan = TilePlan(blockSize: 4, maxTilePixels: 64)
        let images = try [(3, 2), (2, 2), (2, 3), (13, 11)].enumerated().map {
            try Self.image(width: $1.0, height: $1.1, seed: UInt64($0))
        }
        let shapes = images.map { $0.shape(steps: 2) }
        for version: UInt8 in [1, 2] {
            let coder = try BitsBackCoder(
                prior: try Self.prior("tiny_lv"), parameters: ChainParameters(steps: 2, plan: plan, version: version))
            let payload = try coder.encode(images, progress: nil)
            XCTAssertEqual(payload.first, version)
            let decoder = try BitsBackCoder(prior: try Self.prior("tiny_lv"), parameters: ChainParameters(steps: 2))
            XCTAssertEqual(try decoder.decode(payload, shapes: shapes, progress: nil), images)
        }
    }
}
