import ANS
import Model

/// p(x | z_0): the 256-way discretized decoder of every sub-pixel given its z_0 (`DiscretizedDecoder`),
/// as a codec of planar pixels. Pushes go in chunks of `BitsBackChain.pixelChunk` sub-pixels, first chunk
/// first (which bounds the logits held at once); pops take the chunks in reverse.
struct PixelCodec: StackCodec {
    let chain: BitsBackChain
    let z0: [Int32]

    func push(_ pixels: [UInt8], onto message: inout Message) throws {
        for range in chunks(count: pixels.count) {
            let symbols = pixels[range].map { Int32($0) }
            try message.pushCategorical(
                symbols, logits: logits(range), categoryCount: 256, precision: chain.parameters.pixelPrecision)
        }
    }

    func pop(from message: inout Message) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: z0.count)
        for range in chunks(count: z0.count).reversed() {
            let symbols = try message.popCategorical(
                logits: logits(range), categoryCount: 256, precision: chain.parameters.pixelPrecision)
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

    /// The 256 logits of p(x | z_0) for sub-pixels `range`, flattened.
    private func logits(_ range: Range<Int>) -> [Float] {
        var logits = [Float](repeating: 0, count: range.count * 256)
        let binWidth = chain.schedule.binWidths[0]
        var offset = 0
        for j in range {
            let z = Double(LatentSchedule.value(z0[j], binWidth: binWidth))
            for k in 0..<256 { logits[offset + k] = Float(chain.schedule.decoder.logit(k, z0: z)) }
            offset += 256
        }
        return logits
    }
}
