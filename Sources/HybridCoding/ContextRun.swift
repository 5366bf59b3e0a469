import ANS
import BitsBack
import ContextCoding
import Imaging

/// A rectangle of context-coded regions (`ContextRunCut`) on the hybrid stack: the rectangle, cut out as an image of its
/// own, is coded by `ContextPixelCoder` through its public API, and that coder's payload (version, mode
/// bytes and its own serialized message) goes onto the hybrid message as uniform 8-bit symbols. Its
/// length is in the hybrid header. The bits-back regions coded after it pop these bits like any others.
///
/// Cost beside pushing the context coder's intervals directly: its payload header (about 20 bytes: the
/// mode byte, the message's version, counts, one 64-bit head and CRC) per run, and the rows above the
/// rectangle are not used as context (a direct entry point is noted in docs/DESIGN.md §2.13).
enum ContextRun {
    /// Most payload bytes a run of `area` pixels may have (the context coder never comes near: raw
    /// pixels are 3 bytes a pixel); a reader refuses more, so a damaged length cannot ask for more.
    static func maxPayloadBytes(area: Int) -> Int { 6 * area + 1024 }

    /// The context coder's payload of `rect` of `image`, its candidate modes tried on `threads` threads
    /// (the same bytes for any number).
    static func payload(of rect: TileRect, in image: ModelImage, threads: Int = 1) throws -> [UInt8] {
        try ContextPixelCoder(threads: threads).encode([crop(image, to: rect)], progress: nil)
    }

    /// Pushes `payload` onto `message` (8 bits a byte).
    static func push(_ payload: [UInt8], onto message: inout Message) throws {
        try message.pushUniform(payload.map { UInt32($0) }, bits: 8)
    }

    /// Pops a payload of `count` bytes and decodes `rect` from it into the HWC `pixels` of an image of
    /// `width` pixels a row.
    /// - Throws: `HybridCodingError.corruptPayload` for bits the context coder does not accept.
    static func pop(
        _ rect: TileRect, payloadBytes count: Int, into pixels: inout [UInt8], width: Int, from message: inout Message
    ) throws {
        let payload = try message.popUniform(count: count, bits: 8).map { UInt8($0) }
        if message.isOverdrawn { throw HybridCodingError.corruptPayload("drew more initial bits than the encoder recorded") }
        let sub: ModelImage
        do {
            sub = try ContextPixelCoder().decode(
                payload, shapes: [ModelImageShape(width: rect.width, height: rect.height, steps: 0)], progress: nil)[0]
        } catch {
            throw HybridCodingError.corruptPayload("context run at (\(rect.x), \(rect.y)): \(error)")
        }
        for y in 0..<rect.height {
            let row = ((rect.y + y) * width + rect.x) * 3
            pixels.replaceSubrange(row..<row + rect.width * 3, with: sub.pixels[y * rect.width * 3..<(y + 1) * rect.width * 3])
        }
    }

    /// `rect` of `image` as an image of its own.
    static func crop(_ image: ModelImage, to rect: TileRect) throws -> ModelImage {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(rect.area * 3)
        for y in rect.y..<rect.y + rect.height {
            let row = (y * image.width + rect.x) * 3
            pixels.append(contentsOf: image.pixels[row..<row + rect.width * 3])
        }
        return try ModelImage(width: rect.width, height: rect.height, pixels: pixels)
    }
}
