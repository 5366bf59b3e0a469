import ArgumentParser
import Foundation
import Imaging
import Model

/// `vdmz-bench estimate [--points 5,9,17] [--steps T] [--threads N] [--model CKPT] PNG…`: how close the
/// step-sampled ELBO (`SampledELBO`, what `vdmz compress --coder auto` uses to leave out bits-back) comes to
/// the full T-step ELBO. Each image's T diffusion terms are evaluated once (T + 1 passes, seed 0); every
/// K-point estimate is then formed from them exactly as `sampledNegativeELBO` forms it (same steps, same
/// noise), and its relative error printed. With `--json` one object per image, with every step's term.
struct EstimateBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate", abstract: "Error of the step-sampled ELBO estimate against the full T-step ELBO.")

    @OptionGroup var options: PriorRunOptions

    @Option(help: ArgumentHelp("Point counts K to compare.", valueName: "K,K,…"))
    var points = "5,9,17"

    @Flag(help: "One JSON object per image, with every step's diffusion term.")
    var json = false

    @Argument(help: "PNG files (their RGB model planes).")
    var png: [String]

    func run() throws {
        let (prior, steps) = try options.load()
        let counts = try points.split(separator: ",").map { part -> Int in
            guard let k = Int(part), k >= 2 else { throw BenchmarkError("bad --points \(points)") }
            return k
        }
        for path in png {
            let raster = try RasterImage(pngData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            let image = ImageLayout.decompose(raster).model
            let full = try prior.sampledNegativeELBO(
                pixels: planarPixels(interleaved: image.pixels, width: image.width, height: image.height),
                width: image.width, height: image.height, steps: steps, points: steps, seed: 0,
                threads: options.threads)
            let terms = full.samples.map(\.bits)
            var errors: [String: Double] = [:]
            var line = String(
                format: "%@ %d×%d ELBO %.4f", (path as NSString).lastPathComponent, image.width, image.height, full.total)
            for k in counts {
                let diffusion = SampledELBO.diffusion(
                    steps: steps, samples: SampledELBO.evaluatedSteps(steps: steps, count: k).map { ($0, terms[$0 - 1]) })
                let estimate = full.prior + full.reconstruction + diffusion
                errors["\(k)"] = estimate / full.total - 1
                line += String(format: "  K=%d %+.3f %%", k, 100 * (estimate / full.total - 1))
            }
            if json {
                let object: [String: Any] = [
                    "name": path, "width": image.width, "height": image.height, "elbo_bpd": full.total,
                    "prior_bpd": full.prior, "reconstruction_bpd": full.reconstruction, "step_bpd": terms,
                    "relative_error": errors,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(line)
            }
        }
    }
}
