import ArgumentParser
import Codec
import Dispatch
import Foundation
import Model
import Imaging
import BitsBack

/// `vdmz-bench chain --model CKPT (--npy FILE [--first I] [--count N] | --png FILE…) [--steps T] [--shifts L,F] [--threads N]
/// [--single] [--block B] [--max-tile P] [--precision G,P] [--per-image]`: codes the images with the bits-back chain (dataset mode: all on one stack; `--single`: one
/// payload per image) and prints, in one run, the coded rate beside the model's own T-step negative ELBO of
/// the same images, the initial bits, and encode/decode seconds.
struct ChainBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain", abstract: "Coded rate of the bits-back chain beside the model's ELBO, with encode/decode seconds.")

    @OptionGroup var options: PriorRunOptions

    @Option(help: ArgumentHelp("A .npy of uint8 (N, H, W, 3) images.", valueName: "file"))
    var npy: String?

    @Option(help: ArgumentHelp("First image of --npy.", valueName: "i"))
    var first = 0

    @Option(help: ArgumentHelp("Images of --npy (default: all from --first).", valueName: "n"))
    var count: Int?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("PNG files.", valueName: "file"))
    var png: [String] = []

    @Flag(help: "One payload per image instead of all images on one stack.")
    var single = false

    @Option(help: ArgumentHelp("Latent and first-step bin shifts.", valueName: "L,F"))
    var shifts: String?

    @Option(help: ArgumentHelp("Gaussian and pixel precisions.", valueName: "G,P"))
    var precision: String?

    @Option(help: ArgumentHelp("Tile plan block size.", valueName: "B"))
    var block: Int?

    @Option(help: ArgumentHelp("Largest tile in pixels.", valueName: "P"))
    var maxTile: Int?

    @Flag(help: "Print each image's net coded bits beside its ELBO.")
    var perImage = false

    @Option(
        help: ArgumentHelp(
            "Code as a dataset's payload: lanes capped as a dataset's, cut into chains of at most this many pixels "
                + "that borrow their start (0: one chain).", valueName: "P"))
    var chainPixels: Int?

    func validate() throws {
        for (name, value) in [("--shifts", shifts), ("--precision", precision)] {
            if let value, commaSeparatedIntegers(value)?.count != 2 {
                throw ValidationError("\(name) needs two integers separated by a comma")
            }
        }
        if let block, block < 1 { throw ValidationError("--block must be at least 1") }
        if let maxTile, maxTile < 1 { throw ValidationError("--max-tile must be at least 1") }
        if let count, count < 0 { throw ValidationError("--count must not be negative") }
        if let chainPixels, chainPixels < 0 { throw ValidationError("--chain-pixels must not be negative") }
    }

    func run() throws {
        let (prior, steps) = try options.load()
        let threads = options.threads
        let defaults = ChainParameters(steps: steps)
        let shifts = self.shifts.flatMap(commaSeparatedIntegers) ?? [defaults.latentBinShift, defaults.firstBinShift]
        let precisions = precision.flatMap(commaSeparatedIntegers) ?? [defaults.gaussianPrecision, defaults.pixelPrecision]
        var images: [ModelImage] = []
        if let npy {
            let array = try NPYImages(npyData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: npy))))
            let first = min(array.count, max(0, self.first))
            let count = min(array.count - first, self.count ?? array.count)
            images = try (first..<first + count).map {
                try ModelImage(width: array.width, height: array.height, pixels: Array(array.image($0)))
            }
        }
        for path in png {
            let raster = try RasterImage(pngData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            images.append(ImageLayout.decompose(raster).model)
        }
        guard !images.isEmpty else { throw BenchmarkError("no images (--npy or --png)") }
        // Tile plan (`TilePlan`): block size and largest tile, e.g. one tile per image with a large --block.
        let block = self.block ?? TilePlan.standard.blockSize
        let maxTile = self.maxTile ?? max(TilePlan.standard.maxTilePixels, block * block)
        let parameters = ChainParameters(
            steps: steps, latentBinShift: shifts[0], firstBinShift: shifts[1],
            gaussianPrecision: precisions[0], pixelPrecision: precisions[1],
            plan: TilePlan(blockSize: block, maxTilePixels: maxTile))
        let coder = try BitsBackCoder(prior: prior, parameters: parameters, threads: threads)
        if let chainPixels {
            coder.laneCap = BitsBackCoder.datasetLaneCap
            coder.chainPixels = chainPixels > 0 ? chainPixels : nil
        }
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
            decodeSeconds += try seconds {
                decoded = try coder.decode(payload, shapes: group.map { $0.shape(steps: steps) }, progress: nil)
            }
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
                    width: image.width, height: image.height, steps: steps, threads: threads
                ) { _ in noise.next(count: d) }
                elboBits += terms.total * Double(d)
                elboOfImage.append(terms.total * Double(d))
            }
        }
        let d = Double(subpixels)
        if perImage {
            // Net coded bits of each image beside its own one-sample ELBO (the first image also carries the
            // tile ramp of the payload's start).
            for (index, (coded, elbo)) in zip(bitsOfImage, elboOfImage).enumerated() {
                print(
                    String(
                        format: "image %d: net coded %.0f bits, ELBO %.0f bits (%+.2f %%)", index, coded, elbo,
                        100 * (coded / elbo - 1)))
            }
        }
        print(
            String(
                format:
                    "images %d (%d sub-pixels), T = %d (%d network passes per tile, %@ decoder), shifts %d,%d, precision %d,%d, tiles %d/%d, %@ mode, %d threads",
                images.count, subpixels, steps, prior.metadata.networkPasses(steps: steps),
                prior.metadata.decoder.rawValue, shifts[0], shifts[1], precisions[0], precisions[1], block, maxTile,
                single ? "single-image" : "dataset", threads))
        print(
            String(
                format: "elbo_bpd %.4f   net_coded_bpd %.4f (%+.2f %%)   file_bpd %.4f (%+.2f %%)   initial bits %d",
                elboBits / d, netBits / d, 100 * (netBits / elboBits - 1), Double(8 * payloadBytes) / d,
                100 * (Double(8 * payloadBytes) / elboBits - 1), initialBits))
        // What the payloads hold beyond the images' net bits: headers, state, initial bits (not the ramp's
        // small tiles, whose cost is in the images' net bits).
        print(
            String(
                format: "payload %d bytes, beyond the images' net bits %.1f bytes", payloadBytes,
                Double(payloadBytes) - netBits / 8))
        print(
            String(
                format: "encode %.2f s, decode %.2f s, ELBO evaluation %.2f s (%.3f s/image encode)",
                encodeSeconds, decodeSeconds, elboSeconds, encodeSeconds / Double(images.count)))
    }
}
