import ArgumentParser
import Codec
import Foundation
import Model
import Imaging

/// `vdmz sample`: images drawn from the model by its reverse chain, written as one PNG grid.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw images from the model's prior (reverse diffusion chain) into a PNG grid.")

    @Option(name: .short, help: "Number of images.")
    var n: Int = 16

    @Option(help: "Size of each image, WxH.")
    var size: String = "32x32"

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @OptionGroup var threadOptions: ThreadOptions

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    @Option(name: .short, help: "Output PNG file.")
    var output: String

    func validate() throws {
        guard n >= 1, n <= 4096 else { throw ValidationError("-n must be in 1…4096") }
        guard let (width, height) = Self.parseSize(size), width <= 4096, height <= 4096 else {
            throw ValidationError("--size must be WxH with sides in 1…4096, e.g. 32x32")
        }
        _ = (width, height)
    }

    static func parseSize(_ text: String) -> (Int, Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width >= 1, height >= 1 else {
            return nil
        }
        return (width, height)
    }

    func run() throws {
        do {
            let prior = try modelOptions.loadPrior()
            guard let (width, height) = Self.parseSize(size) else { throw CLIError("bad --size \(size)") }
            let steps = modelOptions.steps ?? prior.metadata.codingSteps
            let threads = threadOptions.count
            let columns = Int(Double(n).squareRoot().rounded(.up))
            let rows = (n + columns - 1) / columns
            let gridWidth = columns * width + (columns - 1), gridHeight = rows * height + (rows - 1)
            var grid = [UInt8](repeating: 0, count: gridWidth * gridHeight * 3)
            var noise = GaussianNoise(seed: seed)
            for index in 0..<n {
                let pixels = try prior.sample(width: width, height: height, steps: steps, threads: threads, noise: &noise)
                let x0 = (index % columns) * (width + 1), y0 = (index / columns) * (height + 1)
                for y in 0..<height {
                    for x in 0..<width {
                        for c in 0..<3 {
                            grid[((y0 + y) * gridWidth + x0 + x) * 3 + c] = pixels[(c * height + y) * width + x]
                        }
                    }
                }
            }
            let image = try RasterImage(width: gridWidth, height: gridHeight, colorType: .rgb, bitDepth: 8, samples: grid)
            try FileIO.writeAtomically(try image.pngData(), to: output, overwrite: force, mode: 0o644)
        } catch {
            Terminal.printError("vdmz: \(errorLine(error))")
            throw ExitCode.failure
        }
    }
}
