import Foundation
import XCTest
@testable import Model

/// Checkpoint loading: metadata, shapes, and clear errors for malformed or mismatched files.
final class CheckpointTests: XCTestCase {
    func testLoadsFixtureMetadata() throws {
        let checkpoint = try Checkpoint(contentsOf: Fixtures.url("tiny_lv"))
        XCTAssertEqual(checkpoint.metadata.channels, 8)
        XCTAssertEqual(checkpoint.metadata.blocks, 2)
        XCTAssertEqual(checkpoint.metadata.fourierExponents, [6, 7])
        XCTAssertTrue(checkpoint.metadata.learnedVariance)
        XCTAssertEqual(checkpoint.metadata.codingSteps, 8)
        XCTAssertEqual(checkpoint.metadata.receptiveRadius, 6)
        XCTAssertEqual(checkpoint.data, try Data(contentsOf: Fixtures.url("tiny_lv")))
    }

    func testDefaultCheckpointIsLoadableOrAClearError() {
        do {
            let checkpoint = try Checkpoint.loadDefault()
            XCTAssertEqual(checkpoint.metadata.architecture, "vdmz-resnet-1")
        } catch let error as ModelError {
            guard case .defaultCheckpointUnavailable = error else { return XCTFail("unexpected \(error)") }
            XCTAssertTrue(error.description.contains("--model"))
        } catch { XCTFail("unexpected \(error)") }
    }

    private func rebuilt(dropping dropped: String? = nil, reshaping: String? = nil, metadata: String? = nil) throws -> Data {
        let file = try Fixtures.file("tiny")
        var tensors: [(String, [Int], [Float])] = []
        for name in file.entries.keys.sorted() where name != dropped {
            var (values, shape) = try file.floats(name)
            if name == reshaping { shape = [values.count]; values = Array(values) }
            tensors.append((name, shape, values))
        }
        return try SafeTensorsFile.serialize(tensors: tensors, metadata: ["vdmz": metadata ?? file.metadata["vdmz"]!])
    }

    private func loadError(_ data: Data) -> ModelError? {
        do {
            _ = try Checkpoint(file: SafeTensorsFile(data: data, path: "test.safetensors"), url: URL(fileURLWithPath: "/test"))
            return nil
        } catch { return error as? ModelError }
    }

    func testRoundTripThroughSerializerLoads() throws {
        XCTAssertNil(loadError(try rebuilt()))
    }

    func testMissingTensorIsNamed() throws {
        XCTAssertEqual(
            loadError(try rebuilt(dropping: "blocks.1.conv2.weight")),
            .missingTensor(path: "test.safetensors", name: "blocks.1.conv2.weight"))
    }

    func testWrongShapeIsReported() throws {
        guard case let .tensorMismatch(_, name, _, _)? = loadError(try rebuilt(reshaping: "conv_in.weight")) else {
            return XCTFail("expected a shape mismatch")
        }
        XCTAssertEqual(name, "conv_in.weight")
    }

    func testMetadataDisagreeingWithTensorsIsAnError() throws {
        let wider =
            #"{"format": "vdmz-checkpoint", "version": 1, "architecture": "vdmz-resnet-1", "channels": 16, "blocks": 2, "fourier_n": [6, 7], "learned_variance": false, "coding_steps": 8}"#
        guard case .tensorMismatch? = loadError(try rebuilt(metadata: wider)) else { return XCTFail("expected a mismatch") }
        let other = wider.replacingOccurrences(of: "vdmz-resnet-1", with: "unet-9")
        guard case let .invalidMetadata(_, reason)? = loadError(try rebuilt(metadata: other)) else {
            return XCTFail("expected invalid metadata")
        }
        XCTAssertTrue(reason.contains("unet-9"))
        guard case .invalidMetadata? = loadError(try rebuilt(metadata: "not json")) else { return XCTFail() }
    }

    func testMalformedFilesThrow() throws {
        let good = try Data(contentsOf: Fixtures.url("tiny"))
        for bad in [Data(), Data([1, 2, 3]), good.prefix(100), good.prefix(good.count - 4), Data(repeating: 0xFF, count: 64)] {
            XCTAssertThrowsError(try SafeTensorsFile(data: bad, path: "bad").floats("conv_in.weight")) { error in
                XCTAssertTrue(error is ModelError, "\(error)")
            }
        }
        XCTAssertThrowsError(try Checkpoint(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors"))) { error in
            guard case .unreadableFile? = error as? ModelError else { return XCTFail("\(error)") }
        }
    }

    func testEvaluateRejectsBadArguments() throws {
        let prior = try Fixtures.prior("tiny")
        XCTAssertThrowsError(try prior.denoiser.evaluate(z: [0, 1], width: 1, height: 1, gamma: 0))
        XCTAssertThrowsError(try prior.denoiser.evaluate(z: [], width: 0, height: 0, gamma: 0))
        XCTAssertThrowsError(try prior.denoiser.evaluate(z: [0, 0, 0], width: 1, height: 1, gamma: .nan))
        XCTAssertThrowsError(try prior.schedule.gammas(steps: 0))
        XCTAssertThrowsError(try DiffusionStep(gammaSource: 1, gammaTarget: 1))
    }
}
