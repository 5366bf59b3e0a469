import ANS
import Model
import Parallelism

/// p(x | z_0): the 256-way discretized decoder of every sub-pixel given its z_0 (`DiscretizedDecoder`),
/// as a codec of planar pixels. Pushes go in chunks of `BitsBackChain.pixelChunk` sub-pixels, first chunk
/// first (which bounds the logits held at once); pops take the chunks in reverse.
///
/// With `estimates` (the network decoder) each sub-pixel's logits gain the network term and are shifted by
/// the logit of their mode before rounding to float32 (softmax does not change; the float32 logits near
/// the mode keep their resolution even where the two terms disagree).
struct PixelCodec: StackCodec {
    let chain: BitsBackChain
    let z0: [Int32]
    /// One `PixelEstimate` per sub-pixel for the network decoder; nil for the network-free decoder.
    let estimates: [PixelEstimate]?

    func push(_ pixels: [UInt8], onto message: inout Message) throws {
        var logits = [Float](unsafeUninitializedCapacity: logitCapacity(count: pixels.count)) { $1 = $0.count }
        for range in chunks(count: pixels.count) {
            let symbols = pixels[range].map { Int32($0) }
            try symbols.withUnsafeBufferPointer { symbols in
                try logits.withUnsafeMutableBufferPointer { buffer in
                    let chunk = UnsafeMutableBufferPointer(rebasing: buffer[0..<range.count * 256])
                    fillLogits(range, into: chunk)
                    try message.pushCategorical(
                        symbols, logits: UnsafeBufferPointer(chunk), categoryCount: 256,
                        precision: chain.parameters.pixelPrecision, threads: chain.threads)
                }
            }
        }
    }

    func pop(from message: inout Message) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: z0.count)
        var logits = [Float](unsafeUninitializedCapacity: logitCapacity(count: z0.count)) { $1 = $0.count }
        var symbols = [Int32](repeating: 0, count: min(z0.count, BitsBackChain.pixelChunk))
        for range in chunks(count: z0.count).reversed() {
            try symbols.withUnsafeMutableBufferPointer { symbols in
                try logits.withUnsafeMutableBufferPointer { buffer in
                    let chunk = UnsafeMutableBufferPointer(rebasing: buffer[0..<range.count * 256])
                    fillLogits(range, into: chunk)
                    try message.popCategorical(
                        into: UnsafeMutableBufferPointer(rebasing: symbols[0..<range.count]),
                        logits: UnsafeBufferPointer(chunk), categoryCount: 256,
                        precision: chain.parameters.pixelPrecision, threads: chain.threads)
                }
            }
            for offset in 0..<range.count {
                let s = symbols[offset]
                guard (0..<256).contains(s) else { throw BitsBackError.corruptPayload("pixel symbol \(s) out of range") }
                pixels[range.lowerBound + offset] = UInt8(s)
            }
        }
        return pixels
    }

    /// The chunks of `count` sub-pixels, in push order.
    private func chunks(count: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: BitsBackChain.pixelChunk).map { $0..<min(count, $0 + BitsBackChain.pixelChunk) }
    }

    /// Floats of the logit buffer that every chunk of `count` sub-pixels reuses (one chunk's worth).
    private func logitCapacity(count: Int) -> Int { min(count, BitsBackChain.pixelChunk) * 256 }

    /// The 256 logits of p(x | z_0) for sub-pixels `range`, flattened into `out` (`range.count · 256`
    /// floats, every one written; rows on the chain's threads, each value computed alike on any thread).
    private func fillLogits(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        let binWidth = chain.schedule.binWidths[0]
        let decoder = chain.schedule.decoder
        z0.withUnsafeBufferPointer { z0 in
            ParallelLoop.forEachChunk(count: range.count, threads: range.count < 256 ? 1 : chain.threads) { rows in
                for row in rows {
                    let z = Double(LatentSchedule.value(z0[range.lowerBound + row], binWidth: binWidth))
                    if let estimate = estimates?[range.lowerBound + row] {
                        let peak = decoder.logit(Int(decoder.mode(z0: z, estimate: estimate)), z0: z, estimate: estimate)
                        for k in 0..<256 { out[row * 256 + k] = Float(decoder.logit(k, z0: z, estimate: estimate) - peak) }
                    } else {
                        for k in 0..<256 { out[row * 256 + k] = Float(decoder.logit(k, z0: z)) }
                    }
                }
            }
        }
    }
}
