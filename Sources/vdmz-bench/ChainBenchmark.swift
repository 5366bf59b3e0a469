import Codec
import Dispatch
import Foundation
import Model
import Imaging
import BitsBack

/// `vdmz-bench chain --model CKPT (--npy FILE [--first I] [--count N] | --png FILE…) [--steps T] [--shifts L,F] [--threads N]
/// [--single] [--block B] [--max-tile P] [--precision G,P] [--per-image 1]`: codes the images with the bits-back chain (dataset mode: all on one stack; `--single`: one
/// payload per image) and prints, in one run, the coded rate beside the model's own T-step negative ELBO of
/// the same images, the initial bits, and encode/decode seconds.
func runChainBenchmark(_ arguments: [String]) {
    do {
        try chainBenchmark(arguments)
    } catch {
        FileHandle.standardError.write("vdmz-bench chain: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

private func chainBenchmark(_ arguments: [String]) throws {
    var options: [String: String] = [:]
    var pngs: [String] = []
    var single = false
    var index = 0
    while index < arguments.count {
        let key = arguments[index]
        if key == "--single" { single = true; index += 1; continue }
        if key == "--png" {
            index += 1
            while index < arguments.count, !arguments[index].hasPrefix("--") { pngs.append(arguments[index]); index += 1 }
            continue
        }
        guard key.hasPrefix("--"), index + 1 < arguments.count else { throw BenchmarkError("bad argument \(key)") }
        options[String(key.dropFirst(2))] = arguments[index + 1]
        index += 2
    }
    let prior = try DiffusionPrior(checkpoint: Checkpoint.load(path: options["model"]))
    let steps = Int(options["steps"] ?? "") ?? prior.metadata.codingSteps
    let threads = Int(options["threads"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
    let defaults = ChainParameters(steps: steps)
    let shifts = (options["shifts"] ?? "\(defaults.latentBinShift),\(defaults.firstBinShift)").split(separator: ",").compactMap { Int($0) }
    guard shifts.count == 2 else { throw BenchmarkError("--shifts needs two integers") }
    let precisions = (options["precision"] ?? "\(defaults.gaussianPrecision),\(defaults.pixelPrecision)").split(separator: ",").compactMap { Int($0) }
    guard precisions.count == 2 else { throw BenchmarkError("--precision needs two integers (Gaussian, pixel)") }
    var images: [ModelImage] = []
    if let npy = options["npy"] {
        let array = try NPYImages(npyData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: npy))))
        let first = min(array.count, max(0, Int(options["first"] ?? "") ?? 0))
        let count = min(array.count - first, Int(options["count"] ?? "") ?? array.count)
        images = try (first..<first + count).map { try ModelImage(width: array.width, height: array.height, pixels: Array(array.image($0))) }
    }
    for path in pngs {
        let raster = try RasterImage(pngData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        images.append(ImageLayout.decompose(raster).model)
    }
    guard !images.isEmpty else { throw BenchmarkError("no images (--npy or --png)") }
    // Tile plan (`TilePlan`): block size and largest tile, e.g. one tile per image with a large --block.
    let block = Int(options["block"] ?? "") ?? TilePlan.standard.blockSize
    let maxTile = Int(options["max-tile"] ?? "") ?? max(TilePlan.standard.maxTilePixels, block * block)
    let parameters = ChainParameters(steps: steps, latentBinShift: shifts[0], firstBinShift: shifts[1],
                                     gaussianPrecision: precisions[0], pixelPrecision: precisions[1], plan: TilePlan(blockSize: block, maxTilePixels: maxTile))
    let coder = try BitsBackCoder(prior: prior, parameters: parameters, threads: threads)
    let subpixels = images.reduce(0) { $0 + 3 * $1.width * $1.height }

    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    // Coding.
    let groups = single ? images.map { [$0] } : [images]
    var payloadBytes = 0, initialBits = 0, netBits = 0.0, encodeSeconds = 0.0, decodeSeconds = 0.0
    var bitsOfImage: [Double] = []
    for group in groups {
        var report = CodingReport()
        var payload: [UInt8] = []
        encodeSeconds += try seconds { (payload, report) = try coder.encodeMeasuring(group, progress: nil) }
        var decoded: [ModelImage] = []
        decodeSeconds += try seconds { decoded = try coder.decode(payload, shapes: group.map { $0.shape(steps: steps) }, progress: nil) }
        guard decoded == group else { throw BenchmarkError("decoded images differ from the originals") }
        payloadBytes += payload.count
        initialBits += report.initialBits
        netBits += report.imageBits.reduce(0, +)
        bitsOfImage += report.imageBits
    }
    // The model's own negative ELBO of the same images (one Monte-Carlo sample each).
    var elboBits = 0.0
    var elboOfImage: [Double] = []
    var noise = GaussianNoise(seed: 1)
    let elboSeconds = try seconds {
        for image in images {
            let d = 3 * image.width * image.height
            let terms = try prior.negativeELBO(
                pixels: planarPixels(interleaved: image.pixels, width: image.width, height: image.height),
                width: image.width, height: image.height, steps: steps, threads: threads) { _ in noise.next(count: d) }
            elboBits += terms.total * Double(d)
            elboOfImage.append(terms.total * Double(d))
        }
    }
    let d = Double(subpixels)
    if options["per-image"] != nil {
        // Net coded bits of each image beside its own one-sample ELBO (the first image also carries the
        // tile ramp of the payload's start).
        for (index, (coded, elbo)) in zip(bitsOfImage, elboOfImage).enumerated() {
            print(String(format: "image %d: net coded %.0f bits, ELBO %.0f bits (%+.2f %%)", index, coded, elbo, 100 * (coded / elbo - 1)))
        }
    }
    print(String(format: "images %d (%d sub-pixels), T = %d, shifts %d,%d, precision %d,%d, tiles %d/%d, %@ mode, %d threads",
                 images.count, subpixels, steps, shifts[0], shifts[1], precisions[0], precisions[1], block, maxTile, single ? "single-image" : "dataset", threads))
    print(String(format: "elbo_bpd %.4f   net_coded_bpd %.4f (%+.2f %%)   file_bpd %.4f (%+.2f %%)   initial bits %d",
                 elboBits / d, netBits / d, 100 * (netBits / elboBits - 1), Double(8 * payloadBytes) / d,
                 100 * (Double(8 * payloadBytes) / elboBits - 1), initialBits))
    print(String(format: "encode %.2f s, decode %.2f s, ELBO evaluation %.2f s (%.3f s/image encode)",
                 encodeSeconds, decodeSeconds, elboSeconds, encodeSeconds / Double(images.count)))
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
