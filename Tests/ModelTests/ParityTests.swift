import XCTest
@testable import Model

/// Parity with PyTorch (training/export.py fixtures): network output ≤ 1e-4 relative, γ grid, and the
/// per-image ELBO terms ≤ 0.002 bits/dim.
final class ParityTests: XCTestCase {
    /// The packaged default checkpoint (skips when this build has none).
    private func defaultPrior() throws -> DiffusionPrior {
        guard let checkpoint = try? Checkpoint.loadDefault() else {
            throw XCTSkip("no packaged default checkpoint in this build")
        }
        return try DiffusionPrior(checkpoint: checkpoint)
    }

    private func checkNetwork(model: String, fixture: String) throws {
        try checkNetwork(prior: Fixtures.prior(model), name: model, fixture: fixture)
    }

    private func checkNetwork(prior: DiffusionPrior, name model: String, fixture: String) throws {
        let file = try Fixtures.file(fixture)
        let (z, zShape) = try file.floats("net_z")
        let (gammas, _) = try file.floats("net_gamma")
        let (expected, outShape) = try file.floats("net_out")
        let m = zShape[0], height = zShape[2], width = zShape[3], outC = outShape[1]
        XCTAssertEqual(outC, prior.metadata.outputChannels)
        let plane = width * height
        var worst: Float = 0
        for i in 0..<m {
            let zi = Array(z[(i * 3 * plane)..<((i + 1) * 3 * plane)])
            let output = try prior.denoiser.evaluate(z: zi, width: width, height: height, gamma: gammas[i], threads: 2)
            var got = output.epsilon
            if let v = output.v { got += v }
            let reference = Array(expected[(i * outC * plane)..<((i + 1) * outC * plane)])
            let error = relativeError(got, reference)
            worst = max(worst, error)
            XCTAssertLessThanOrEqual(error, 1e-4, "\(model) evaluation \(i)")
        }
        print("parity \(model): network max relative error \(worst)")
    }

    private func checkELBO(model: String, fixture: String) throws {
        try checkELBO(prior: Fixtures.prior(model), name: model, fixture: fixture)
    }

    private func checkELBO(prior: DiffusionPrior, name model: String, fixture: String) throws {
        let file = try Fixtures.file(fixture)
        let (x, xShape) = try file.bytes("x")
        let (gammaGrid, _) = try file.floats("gamma_t")
        let (eps0, _) = try file.floats("elbo_eps0")
        let (eps, epsShape) = try file.floats("elbo_eps")
        let priorBPD = try file.floats("elbo_prior_bpd").values
        let reconBPD = try file.floats("elbo_recon_bpd").values
        let diffusionBPD = try file.floats("elbo_diffusion_bpd").values
        let n = xShape[0], height = xShape[1], width = xShape[2], steps = epsShape[1]
        let d = 3 * width * height
        let grid = try prior.schedule.gammas(steps: steps)
        for i in 0...steps {
            XCTAssertEqual(grid[i], gammaGrid[i], accuracy: 2e-5 * max(1, abs(gammaGrid[i])), "γ(\(i)/\(steps))")
        }
        var worst = 0.0
        for image in 0..<n {
            let pixels = planarPixels(interleaved: Array(x[(image * d)..<((image + 1) * d)]), width: width, height: height)
            let terms = try prior.negativeELBO(pixels: pixels, width: width, height: height, steps: steps, threads: 1) { i in
                i == 0
                    ? Array(eps0[(image * d)..<((image + 1) * d)])
                    : Array(eps[((image * steps + i - 1) * d)..<((image * steps + i) * d)])
            }
            let errors = [
                abs(terms.prior - Double(priorBPD[image])), abs(terms.reconstruction - Double(reconBPD[image])),
                abs(terms.diffusion - Double(diffusionBPD[image])),
            ]
            worst = max(worst, errors.max()!)
            XCTAssertLessThanOrEqual(
                errors.max()!, 0.002,
                "\(model) image \(image): \(terms) vs \(priorBPD[image]) \(reconBPD[image]) \(diffusionBPD[image])")
        }
        print("parity \(model): ELBO max term error \(worst) bits/dim")
    }

    func testDefaultCheckpointMatchesPyTorch() throws {
        let prior = try defaultPrior()
        _ = try Fixtures.url("default_fixture")
        try checkNetwork(prior: prior, name: "default", fixture: "default_fixture")
        try checkELBO(prior: prior, name: "default", fixture: "default_fixture")
    }

    func testNetworkMatchesPyTorch() throws { try checkNetwork(model: "tiny", fixture: "tiny_fixture") }
    func testLearnedVarianceNetworkMatchesPyTorch() throws { try checkNetwork(model: "tiny_lv", fixture: "tiny_lv_fixture") }
    func testELBOMatchesPyTorch() throws { try checkELBO(model: "tiny", fixture: "tiny_fixture") }
    func testLearnedVarianceELBOMatchesPyTorch() throws { try checkELBO(model: "tiny_lv", fixture: "tiny_lv_fixture") }

    /// tiny_nd: the network decoder (its reconstruction term includes the pass at γ_0; NetworkDecoderTests
    /// compares x̂, 1/s² and log p per sub-pixel).
    func testNetworkDecoderModelMatchesPyTorch() throws {
        try checkNetwork(model: "tiny_nd", fixture: "tiny_nd_fixture")
        try checkELBO(model: "tiny_nd", fixture: "tiny_nd_fixture")
    }
}
