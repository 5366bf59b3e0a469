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
        for range in chunks(count: pixels.count) {
            let symbols = pixels[range].map { Int32($0) }
            try message.pushCategorical(
                symbols, logits: logits(range), categoryCount: 256, precision: chain.parameters.pixelPrecision,
                threads: chain.threads)
        }
    }

    func pop(from message: inout Message) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: z0.count)
        for range in chunks(count: z0.count).reversed() {
            let symbols = try message.popCategorical(
                logits: logits(range), categoryCount: 256, precision: chain.parameters.pixelPrecision,
                threads: chain.threads)
            for (offset, s) in symbols.enumerated() {
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

    /// The 256 logits of p(x | z_0) for sub-pixels `range`, flattened (rows on the chain's threads; each
    /// value is computed alike on any thread).
    private func logits(_ range: Range<Int>) -> [Float] {
        var logits = [Float](repeating: 0, count: range.count * 256)
        let binWidth = chain.schedule.binWidths[0]
        let decoder = chain.schedule.decoder
        logits.withUnsafeMutableBufferPointer { out in
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
        return logits
    }
}
