import ArgumentParser
import Codec
import Dispatch
import ExactMath
import Foundation
import Model
import Imaging

/// `vdmz rate`: the model's negative ELBO (the rate an ideal bits-back coder approaches) per image.
struct Rate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Negative ELBO of images under the model, in bits per sub-pixel (prior + diffusion + reconstruction).",
        discussion: """
            Inputs are PNG files (their 8-bit RGB model planes, as the codec sees them; alpha and other side \
            planes are not counted) or .npy arrays of uint8 images shaped (N, H, W, 3) or (H, W, 3). Each image \
            gets a one-sample Monte-Carlo estimate with T network evaluations (T + 1 for a model with the \
            network decoder p(x | z_0)); the summary reports the \
            standard error over images.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "Seed of the Monte-Carlo noise.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object per image and a final summary object.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Estimate the diffusion term from K evenly spaced steps (the first, the last and K − 2 between, joined by straight lines): K network passes instead of T. Within 0.3 % of the full ELBO at K = 9, T = 64 on Kodak (always below it); K ≥ T is the full ELBO.",
            valueName: "K"))
    var points: Int?

    @Flag(
        help:
            "Also code the images with the bits-back coder: all on one stack (dataset mode, decoded again and checked) and each alone (single-image mode); prints coded_bpd beside elbo_bpd and each image's overhead."
    )
    var code = false

    @Argument(help: "PNG or .npy files.")
    var inputs: [String]

    func validate() throws {
        if let points, points < 2 { throw ValidationError("--points must be at least 2") }
    }

    func run() throws {
        let prior: DiffusionPrior
        do {
            prior = try modelOptions.loadPrior()
        } catch {
            Terminal.printError("vdmz: \(errorLine(error))")
            throw ExitCode.failure
        }
        let steps = modelOptions.steps ?? prior.metadata.codingSteps
        let threads = threadOptions.count
        var results: [(terms: ELBOTerms, subpixels: Int)] = []
        var failed = false
        let start = DispatchTime.now().uptimeNanoseconds
        var imageIndex = 0
        var codedImages: [ModelImage] = [], codedNames: [String] = []
        for input in inputs {
            do {
                for (name, image) in try Self.readImages(input) {
                    let imageStart = DispatchTime.now().uptimeNanoseconds
                    let d = 3 * image.width * image.height
                    // Memory-bounded (tiled) evaluation with noise addressed by (step, sub-pixel).
                    let planar = planarPixels(interleaved: image.pixels, width: image.width, height: image.height)
                    let imageSeed = seed &+ UInt64(imageIndex) &* SplitMix64.increment
                    let terms: ELBOTerms
                    if let points {
                        let estimate = try prior.sampledNegativeELBO(
                            pixels: planar, width: image.width, height: image.height, steps: steps, points: points,
                            seed: imageSeed, threads: threads)
                        terms = ELBOTerms(
                            prior: estimate.prior, diffusion: estimate.diffusion, reconstruction: estimate.reconstruction)
                    } else {
                        terms = try prior.negativeELBO(
                            pixels: planar, width: image.width, height: image.height, steps: steps, seed: imageSeed,
                            threads: threads)
                    }
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - imageStart) / 1e9
                    results.append((terms, d))
                    if code { codedImages.append(image); codedNames.append(name) }
                    report(name: name, index: imageIndex, image: image, terms: terms, seconds: seconds)
                    imageIndex += 1
                }
            } catch {
                Terminal.printError("vdmz: \(input): \(errorLine(error))")
                failed = true
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var coded: RateCoding.Result?
        if code && !codedImages.isEmpty {
            do {
                coded = try RateCoding(prior: prior, steps: steps, threads: threads).code(codedImages)
            } catch {
                Terminal.printError("vdmz: coding: \(errorLine(error))")
                failed = true
            }
        }
        if let coded { reportCoding(coded, names: codedNames, results: results) }
        if !results.isEmpty {
            let evaluated = points.map { SampledELBO.evaluatedSteps(steps: steps, count: $0).count } ?? steps
            summarize(
                results, steps: steps, passes: prior.metadata.networkPasses(steps: evaluated), seconds: seconds, coded: coded)
        }
        if failed { throw ExitCode.failure }
    }

    /// The model images of one input: every image of a .npy array, or the RGB model plane of a PNG.
    static func readImages(_ path: String) throws -> [(String, ModelImage)] {
        let bytes = try FileIO.readFile(path)
        if path.lowercased().hasSuffix(".npy") || bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) {
            let array = try NPYImages(npyData: bytes)
            guard array.channels == 3 else {
                throw CLIError(
                    "array of \(array.count) image(s) \(array.height)×\(array.width) with \(array.channels) channels; rate needs uint8 RGB images shaped (N, H, W, 3) or (H, W, 3)"
                )
            }
            return try (0..<array.count).map { i in
                ("\(path)[\(i)]", try ModelImage(width: array.width, height: array.height, pixels: Array(array.image(i))))
            }
        }
        let raster = try RasterImage(pngData: bytes)
        return [(path, ImageLayout.decompose(raster).model)]
    }

    private func report(name: String, index: Int, image: ModelImage, terms: ELBOTerms, seconds: Double) {
        if json {
            printJSON([
                "name": name, "index": index, "width": image.width, "height": image.height,
                "elbo_bpd": terms.total, "prior_bpd": terms.prior, "diffusion_bpd": terms.diffusion,
                "reconstruction_bpd": terms.reconstruction, "seconds": seconds,
            ])
        } else {
            print(
                String(
                    format: "%@  %d×%d  %.4f bits/sub-pixel  (prior %.5f, diffusion %.4f, reconstruction %.4f)  %.2f s",
                    name, image.width, image.height, terms.total, terms.prior, terms.diffusion, terms.reconstruction, seconds))
        }
    }

    /// Per image: the single-image coded rate and its overhead over the image's own ELBO.
    private func reportCoding(_ coded: RateCoding.Result, names: [String], results: [(terms: ELBOTerms, subpixels: Int)]) {
        for (index, (name, result)) in zip(names, results).enumerated() {
            let elbo = result.terms.total
            let single = coded.singleImageBits[index] / Double(result.subpixels)
            let net = coded.datasetImageBits[index] / Double(result.subpixels)
            if json {
                printJSON([
                    "name": name, "index": index, "coded": true, "elbo_bpd": elbo, "single_image_coded_bpd": single,
                    "single_image_overhead": single / elbo - 1, "dataset_net_coded_bpd": net,
                ])
            } else {
                print(
                    String(
                        format: "%@  coded alone %.4f bits/sub-pixel (%+.2f %% over its ELBO); net in the dataset stack %.4f",
                        name, single, 100 * (single / elbo - 1), net))
            }
        }
    }

    private func summarize(
        _ results: [(terms: ELBOTerms, subpixels: Int)], steps: Int, passes: Int, seconds: Double,
        coded: RateCoding.Result? = nil
    ) {
        let subpixels = Double(results.reduce(0) { $0 + $1.subpixels })
        func weighted(_ term: (ELBOTerms) -> Double) -> Double {
            results.reduce(0) { $0 + term($1.terms) * Double($1.subpixels) } / subpixels
        }
        let totals = results.map(\.terms.total)
        let mean = totals.reduce(0, +) / Double(totals.count)
        let variance =
            totals.count > 1
            ? totals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(totals.count - 1) : Double.nan
        let standardError = (variance / Double(totals.count)).squareRoot()
        let elbo = weighted(\.total)
        if json {
            var summary: [String: Any] = [
                "summary": true, "images": results.count, "steps": steps, "network_passes": passes, "elbo_bpd": elbo,
                "estimated_from_points": points.map { $0 as Any } ?? NSNull(),
                "prior_bpd": weighted(\.prior), "diffusion_bpd": weighted(\.diffusion),
                "reconstruction_bpd": weighted(\.reconstruction), "seconds": seconds,
            ]
            if standardError.isFinite { summary["std_error_bpd"] = standardError }
            if let coded {
                summary["coded_bpd"] = coded.datasetPayloadBits / subpixels
                summary["coded_initial_bits"] = coded.datasetInitialBits
                summary["coded_net_bpd"] = coded.datasetImageBits.reduce(0, +) / subpixels
                summary["single_image_coded_bpd"] = coded.singleImageBits.reduce(0, +) / subpixels
                summary["encode_seconds"] = coded.encodeSeconds
                summary["decode_seconds"] = coded.decodeSeconds
            }
            printJSON(summary)
        } else {
            let error = standardError.isFinite ? String(format: " ± %.4f (std. error over images)", standardError) : ""
            let estimated =
                points.map { " (diffusion estimated from \(SampledELBO.evaluatedSteps(steps: steps, count: $0).count) steps)" }
                ?? ""
            print(
                String(
                    format:
                        "total: %d images, T = %d%@: %.4f bits/sub-pixel%@  (prior %.5f, diffusion %.4f, reconstruction %.4f)  %.2f s",
                    results.count, steps, estimated, elbo, error, weighted(\.prior), weighted(\.diffusion),
                    weighted(\.reconstruction),
                    seconds))
            if let coded {
                let dataset = coded.datasetPayloadBits / subpixels
                let single = coded.singleImageBits.reduce(0, +) / subpixels
                print(
                    String(
                        format:
                            "coded: dataset mode %.4f bits/sub-pixel (%+.2f %% over the ELBO; %d initial bits), single-image mode %.4f bits/sub-pixel (%+.2f %%); encode %.2f s, decode %.2f s",
                        dataset, 100 * (dataset / elbo - 1), coded.datasetInitialBits, single, 100 * (single / elbo - 1),
                        coded.encodeSeconds, coded.decodeSeconds))
            }
        }
    }

    private func printJSON(_ object: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
