import ArgumentParser
import Dispatch
import Foundation
import Model

/// `vdmz-bench model [--threads N] [--model PATH] [--repeats N]`: the denoiser's forward-pass time and
/// GFLOP/s on a 32×32 and a 768×512 input, against the GEMM peak of the same microkernel measured in the
/// same run on a 1536×1536×1536 product. Each figure is the best of `repeats` timings.
/// `--size WxH` instead times one forward pass on a W×H input and reports the process's peak memory
/// (to check the tile-memory bound on large images); `--tiles 256,512` compares tile sizes on 768×512;
/// `--regions 14x14,256x175,…` times one pass on each of those inputs (e.g. a coder's tile regions, each as
/// one tile) and their sum against one pass on `--whole WxH`.
struct ModelBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Forward-pass time and GFLOP/s of the denoiser against the GEMM peak.")

    @OptionGroup var checkpoint: CheckpointOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: ArgumentHelp("Timings per figure; the best is reported.", valueName: "n"))
    var repeats = 5

    @Option(help: ArgumentHelp("Time one forward pass on a W×H input and report the peak memory.", valueName: "WxH"))
    var size: String?

    @Option(help: ArgumentHelp("Compare these tile sizes on 768×512.", valueName: "256,512,…"))
    var tiles: String?

    @Option(help: ArgumentHelp("Time one pass on each of these inputs (one tile each).", valueName: "WxH,WxH,…"))
    var regions: String?

    @Option(help: ArgumentHelp("The whole input --regions is compared with.", valueName: "WxH"))
    var whole = "256x256"

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        if let size {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1, parts[1] >= 1 else { throw ValidationError("bad --size \(size): WxH") }
        }
        if let tiles {
            guard let values = commaSeparatedIntegers(tiles), values.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("bad --tiles \(tiles): positive integers separated by commas")
            }
        }
    }

    func run() throws {
        if let regions {
            guard let list = sizeList(regions), let wholeSize = sizeList(whole), wholeSize.count == 1 else {
                throw ValidationError("bad --regions \(regions) or --whole \(whole): WxH,WxH,…")
            }
            try regionBenchmark(
                threads: threadOptions.count, modelPath: checkpoint.model, repeats: repeats, regions: list, whole: wholeSize[0])
            return
        }
        let parts = size?.split(separator: "x").compactMap { Int($0) }
        try modelBenchmark(
            threads: threadOptions.count, modelPath: checkpoint.model, repeats: repeats,
            largeSize: parts.map { ($0[0], $0[1]) }, tileSizes: tiles.flatMap(commaSeparatedIntegers) ?? [])
    }
}

/// "WxH,WxH,…" as sizes, or nil.
private func sizeList(_ text: String) -> [(Int, Int)]? {
    let sizes = text.split(separator: ",").map { $0.split(separator: "x").compactMap { Int($0) } }
    guard !sizes.isEmpty, sizes.allSatisfy({ $0.count == 2 && $0[0] >= 1 && $0[1] >= 1 }) else { return nil }
    return sizes.map { ($0[0], $0[1]) }
}

/// One pass on each region (as one tile) and on the whole input, interleaved rounds, best of each.
private func regionBenchmark(threads: Int, modelPath: String?, repeats: Int, regions: [(Int, Int)], whole: (Int, Int)) throws {
    let checkpoint = try modelPath.map { try Checkpoint(contentsOf: URL(fileURLWithPath: $0)) } ?? Checkpoint.loadDefault()
    let denoiser = try Denoiser(checkpoint: checkpoint)
    let inputs = regions + [whole]
    var noise = GaussianNoise(seed: 1)
    let latents = inputs.map { noise.next(count: 3 * $0.0 * $0.1) }
    var best = [Double](repeating: .infinity, count: inputs.count)
    for _ in 0..<repeats {
        for (i, (width, height)) in inputs.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try denoiser.evaluate(
                z: latents[i], width: width, height: height, gamma: -2, threads: threads,
                tileSize: denoiser.tileSize(coveringWhole: width, height: height))
            best[i] = min(best[i], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }
    for (i, (width, height)) in inputs.enumerated() {
        print(
            String(
                format: "%@ %5d×%-5d %9.3f ms  %7.1f ns/pixel", i == regions.count ? "whole " : "region", width, height,
                best[i] * 1e3, best[i] * 1e9 / Double(width * height)))
    }
    let sum = best[..<regions.count].reduce(0, +)
    let pixels = regions.reduce(0) { $0 + $1.0 * $1.1 }
    print(
        String(
            format: "regions: %d pixels (%.3f× the whole), %.3f ms (%.3f× the whole's time); %d thread(s)",
            pixels, Double(pixels) / Double(whole.0 * whole.1), sum * 1e3, sum / best[regions.count], threads))
}

private func modelBenchmark(threads: Int, modelPath: String?, repeats: Int, largeSize: (Int, Int)?, tileSizes: [Int]) throws {
    let checkpoint: Checkpoint
    var source: String
    if let modelPath {
        checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: modelPath))
        source = modelPath
    } else if let packaged = try? Checkpoint.loadDefault() {
        checkpoint = packaged
        source = "default checkpoint"
    } else {
        checkpoint = try Checkpoint.synthetic(channels: 32, blocks: 4, learnedVariance: true)  // the default architecture
        source = "synthetic weights (no default checkpoint in this build; speed does not depend on weights)"
    }
    let m = checkpoint.metadata
    let denoiser = try Denoiser(checkpoint: checkpoint)
    print("model: C=\(m.channels) B=\(m.blocks) out=\(m.outputChannels), \(source)")
    print("threads: \(threads), best of \(repeats) interleaved rounds")

    func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    if !tileSizes.isEmpty {
        // Tile-size comparison on 768×512, interleaved rounds, best of each.
        var noise = GaussianNoise(seed: 1)
        let z = noise.next(count: 3 * 768 * 512)
        var best = [Double](repeating: .infinity, count: tileSizes.count)
        for _ in 0..<repeats {
            for (i, tile) in tileSizes.enumerated() {
                best[i] = min(
                    best[i],
                    try time {
                        _ = try denoiser.evaluate(z: z, width: 768, height: 512, gamma: -2, threads: threads, tileSize: tile)
                    })
            }
        }
        for (i, tile) in tileSizes.enumerated() {
            print(
                String(
                    format: "768×512 tile %4d: %8.2f ms  %6.1f GFLOP/s (nominal)", tile, best[i] * 1e3,
                    denoiser.flops(width: 768, height: 512) / best[i] / 1e9))
        }
        return
    }
    if let (width, height) = largeSize {
        var noise = GaussianNoise(seed: 1)
        let z = noise.next(count: 3 * width * height)
        let before = peakResidentMegabytes()
        let seconds = try time { _ = try denoiser.evaluate(z: z, width: width, height: height, gamma: -2, threads: threads) }
        let inputOutput = Double(2 * 3 * width * height * 4) / 1e6
        print(
            String(
                format: "forward %d×%d: %.2f s, %.1f GFLOP/s; peak RSS %.0f MB before, %.0f MB after (z and ε̂ buffers: %.0f MB)",
                width, height, seconds, denoiser.flops(width: width, height: height) / seconds / 1e9, before,
                peakResidentMegabytes(), inputOutput))
        return
    }
    let n = 1536
    var a = [Float](repeating: 0, count: n * n), b = a
    for i in 0..<a.count { a[i] = Float((i * 7) % 13) / 13 - 0.5; b[i] = Float((i * 5) % 11) / 11 - 0.5 }
    let gemm = MatrixMultiply(b: b, rows: n, depth: n, columns: n)
    let sizes = [(32, 32), (768, 512)]
    var inputs: [[Float]] = []
    for (width, height) in sizes {
        var noise = GaussianNoise(seed: 1)
        inputs.append(noise.next(count: 3 * width * height))
    }
    // Rounds interleave the GEMM and the forward passes so that both see the same machine load
    // (the machine is shared); each figure is the best over the rounds.
    var gemmBest = Double.infinity
    var forwardBest = [Double](repeating: .infinity, count: sizes.count)
    for _ in 0..<repeats {
        gemmBest = min(gemmBest, time { _ = gemm.multiply(a, threads: threads) })
        for (i, (width, height)) in sizes.enumerated() {
            let z = inputs[i]
            forwardBest[i] = min(
                forwardBest[i],
                try time {
                    _ = try denoiser.evaluate(z: z, width: width, height: height, gamma: -2, threads: threads)
                })
        }
    }
    let peak = gemm.flops / gemmBest / 1e9
    print(String(format: "GEMM peak (%d³, same 6×16 FMA kernel): %.1f GFLOP/s (%.1f ms)", n, peak, gemmBest * 1e3))
    for (i, (width, height)) in sizes.enumerated() {
        let gflops = denoiser.flops(width: width, height: height) / forwardBest[i] / 1e9
        print(
            String(
                format: "forward %4d×%-4d: %9.2f ms  %6.1f GFLOP/s  %5.1f %% of GEMM peak",
                width, height, forwardBest[i] * 1e3, gflops, 100 * gflops / peak))
    }
    print(
        "(nominal FLOPs \(denoiser.flops(width: 1, height: 1)) per pixel, tile halos and padding not counted; tile \(Denoiser.defaultTileSize))"
    )
}

/// The process's peak resident set size in MB (getrusage; Linux reports KiB).
private func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) * 1024 / 1e6
}
