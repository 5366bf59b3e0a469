import Foundation
import XCTest
@testable import Model

/// The network decoder p(x | z_0) (NETWORK.md "Decoder p(x | z_0)"): checkpoint metadata, parity of x̂,
/// 1/s² and log p(x | z_0) with PyTorch (tiny_nd fixture, training/export.py), and the ELBO terms.
///
/// Tolerances: x̂ ≤ 1e-5 absolute (the network's ≤ 1e-4 relative error times σ_0/α_0 ≈ 0.002), 1/s²
/// ≤ 1e-3 relative (exp(−2·b·v) with v within 1e-4), log p(x | z_0) ≤ 2e-3 nats per sub-pixel, and the
/// per-image terms ≤ 0.002 bits/dim as for the other fixtures.
final class NetworkDecoderTests: XCTestCase {
    func testMetadataDeclaresTheNetworkDecoder() throws {
        let nd = try Checkpoint(contentsOf: Fixtures.url("tiny_nd"))
        XCTAssertEqual(nd.metadata.decoder, .network)
        XCTAssertEqual(nd.metadata.networkPasses(steps: 8), 9)
        let prior = try DiffusionPrior(checkpoint: nd)
        let scale = try XCTUnwrap(prior.decoderScale)
        XCTAssertEqual(scale.offsets[0], Double(Float(-4.856735)), accuracy: 1e-6)
        let tiny = try Checkpoint(contentsOf: Fixtures.url("tiny_lv"))
        XCTAssertEqual(tiny.metadata.decoder, .uniform)
        XCTAssertEqual(tiny.metadata.networkPasses(steps: 8), 8)
        XCTAssertNil(try DiffusionPrior(checkpoint: tiny).decoderScale)
    }

    /// tiny_nd's tensors with `metadata` (or its own) and `decoder_scale` replaced or dropped.
    private func rebuilt(metadata: String? = nil, scale: [Float]? = nil, dropScale: Bool = false) throws -> Data {
        let file = try Fixtures.file("tiny_nd")
        var tensors: [(String, [Int], [Float])] = []
        for name in file.entries.keys.sorted() where !(dropScale && name == "decoder_scale") {
            let (values, shape) = try file.floats(name)
            tensors.append((name, shape, name == "decoder_scale" ? scale ?? values : values))
        }
        return try SafeTensorsFile.serialize(tensors: tensors, metadata: ["vdmz": metadata ?? file.metadata["vdmz"]!])
    }

    private func loadError(_ data: Data) -> ModelError? {
        do {
            let checkpoint = try Checkpoint(
                file: SafeTensorsFile(data: data, path: "test.safetensors"), url: URL(fileURLWithPath: "/test"))
            _ = try DiffusionPrior(checkpoint: checkpoint)
            return nil
        } catch { return error as? ModelError }
    }

    func testUnknownDecodersAndStudyOptionsAreTypedErrors() throws {
        let json = try Fixtures.file("tiny_nd").metadata["vdmz"]!
        XCTAssertNil(loadError(try rebuilt()))
        XCTAssertEqual(
            loadError(try rebuilt(dropScale: true)), .missingTensor(path: "test.safetensors", name: "decoder_scale"))
        let key = #""decoder": "network""#
        for (replacement, expected) in [
            (#""decoder": "mixture""#, "mixture"), (#""decoder": 1"#, "string"),
            (key + #", "space": "ycocg""#, "space"), (key + #", "lowres_blocks": 1"#, "lowres"),
        ] {
            let bad = json.replacingOccurrences(of: key, with: replacement)
            guard case let .invalidMetadata(_, reason)? = loadError(try rebuilt(metadata: bad)) else {
                XCTFail("expected invalid metadata for \(bad)")
                continue
            }
            XCTAssertTrue(reason.contains(expected), reason)
        }
        // The defaults of the study options are accepted, "uniform" is today's decoder.
        let defaults = json.replacingOccurrences(
            of: #""decoder": "network""#, with: #""decoder": "uniform", "space": "rgb", "lowres_blocks": 0"#)
        XCTAssertNil(loadError(try rebuilt(metadata: defaults)))
        guard case .invalidMetadata? = loadError(try rebuilt(scale: [0, .nan, 0, 0, 0, 0])) else {
            return XCTFail("a non-finite decoder_scale must be refused")
        }
    }

    func testEstimatesAndLogProbabilitiesMatchPyTorch() throws {
        let prior = try Fixtures.prior("tiny_nd")
        let scale = try XCTUnwrap(prior.decoderScale)
        let file = try Fixtures.file("tiny_nd_fixture")
        let (x, xShape) = try file.bytes("x")
        let eps0 = try file.floats("elbo_eps0").values
        let xhat = try file.floats("decoder_xhat").values
        let precision = try file.floats("decoder_precision").values
        let logProb = try file.floats("decoder_log_prob").values
        let n = xShape[0], height = xShape[1], width = xShape[2]
        let plane = width * height, d = 3 * plane
        let decoder = DiscretizedDecoder(gamma0: try prior.schedule.gammas(steps: 8)[0])
        var worst = (mean: 0.0, precision: 0.0, logProb: 0.0)
        for image in 0..<n {
            let pixels = planarPixels(interleaved: Array(x[(image * d)..<((image + 1) * d)]), width: width, height: height)
            let z0 = (0..<d).map {
                decoder.level.alpha * DiscretizedDecoder.scaled(Int(pixels[$0]))
                    + decoder.level.sigma * Double(eps0[image * d + $0])
            }
            let output = try prior.denoiser.evaluate(
                z: z0.map { Float($0) }, width: width, height: height, gamma: Float(decoder.level.gamma), threads: 2)
            let estimates = scale.estimates(z0: { z0[$0] }, output: output, plane: plane, level: decoder.level)
            for i in 0..<d {
                let r = image * d + i
                worst.mean = max(worst.mean, abs(estimates[i].mean - Double(xhat[r])))
                worst.precision = max(worst.precision, abs(estimates[i].precision / Double(precision[r]) - 1))
                let got = -decoder.negativeLogLikelihood(of: pixels[i], z0: z0[i], estimate: estimates[i])
                worst.logProb = max(worst.logProb, abs(got - Double(logProb[r])))
                // The network term changes the distribution: today's decoder gives another log p.
                if i == 0 && image == 0 {
                    XCTAssertNotEqual(got, -decoder.negativeLogLikelihood(of: pixels[i], z0: z0[i]))
                }
            }
        }
        print("parity tiny_nd decoder: x̂ \(worst.mean), 1/s² \(worst.precision) relative, log p \(worst.logProb) nats")
        XCTAssertLessThanOrEqual(worst.mean, 1e-5)
        XCTAssertLessThanOrEqual(worst.precision, 1e-3)
        XCTAssertLessThanOrEqual(worst.logProb, 2e-3)
    }

    /// The decoder's categorical is normalised and its mode is the most probable value.
    func testLogProbabilitiesAreNormalisedAndPeakAtTheMode() {
        let decoder = DiscretizedDecoder(gamma0: -11.5)
        for (z0, estimate) in [
            (0.1, PixelEstimate(mean: 0.12, precision: 20_000)), (-0.99, PixelEstimate(mean: -1.3, precision: 3e5)),
            (0.5, PixelEstimate(mean: 0.2, precision: 1e6)), (1.01, PixelEstimate(mean: 0.9, precision: 10)),
        ] {
            let logProbabilities = decoder.logProbabilities(z0: z0, estimate: estimate)
            let total = logProbabilities.reduce(0.0) { $0 + Foundation.exp($1) }
            XCTAssertEqual(total, 1, accuracy: 1e-9)
            let best = logProbabilities.indices.max { logProbabilities[$0] < logProbabilities[$1] }!
            XCTAssertEqual(Int(decoder.mode(z0: z0, estimate: estimate)), best, "z0 \(z0) \(estimate)")
        }
    }

    /// The streaming (tiled) estimator with small tiles equals the whole-image one with its noise (the
    /// terms against PyTorch: `ParityTests.testNetworkDecoderModelMatchesPyTorch`).
    func testStreamingELBOAgreesWithWholeImageELBO() throws {
        let prior = try Fixtures.prior("tiny_nd")
        let (width, height) = (13, 11)
        let d = 3 * width * height
        var random = TestRandom(state: 3)
        let pixels = random.values(d).map { UInt8(Int(($0 + 1) * 127.5)) }
        let noise = CounterNoise(seed: 5)
        let whole = try prior.negativeELBO(pixels: pixels, width: width, height: height, steps: 3, threads: 1) { i in
            (0..<d).map { noise.normal(step: i, index: $0) }
        }
        let tiled = try prior.negativeELBO(
            pixels: pixels, width: width, height: height, steps: 3, seed: 5, threads: 2, tileSize: 4)
        XCTAssertEqual(tiled.reconstruction, whole.reconstruction, accuracy: 1e-12)
        XCTAssertEqual(tiled.diffusion, whole.diffusion, accuracy: 1e-12)
        XCTAssertGreaterThan(whole.reconstruction, 0)
    }
}
