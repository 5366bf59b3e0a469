import Imaging
/// No model: stores the model planes of all images, concatenated, as one zlib stream (level 9). Written
/// first so that the container, side planes, checksums and the command-line tool worked end to end before
/// the bits-back chain; now also the last candidate of `--coder auto`, which keeps it for pixels that no
/// model predicts (noise), where it stays within a few bytes of 8 bits per sub-pixel. Containers record
/// it as `PixelCoderKind.stored`, and `vdmz info` says so.
public struct StoredPixelCoder: PixelCoder {
    public init() {}

    public var kind: PixelCoderKind { .stored }
    public var modelHash: [UInt8] { noModelHash }
    public var steps: Int { 0 }

    public func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        var planes: [UInt8] = []
        planes.reserveCapacity(images.reduce(0) { $0 + $1.pixels.count })
        for image in images { planes.append(contentsOf: image.pixels) }
        let payload = try Zlib.compress(planes)
        progress?(1)
        return payload
    }

    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        var total = 0
        for shape in shapes {
            guard let count = shape.subpixelCount else { throw StoredPixelCoderError.corruptPayload }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw StoredPixelCoderError.corruptPayload }
            total = sum
        }
        let planes: [UInt8]
        do { planes = try Zlib.decompress(payload, count: total) } catch { throw StoredPixelCoderError.corruptPayload }
        var images: [ModelImage] = []
        var offset = 0
        for shape in shapes {
            let count = shape.width * shape.height * 3  // checked above
            images.append(
                try ModelImage(width: shape.width, height: shape.height, pixels: Array(planes[offset..<offset + count])))
            offset += count
        }
        progress?(1)
        return images
    }
}

/// Errors of `StoredPixelCoder`.
public enum StoredPixelCoderError: Error, Equatable, CustomStringConvertible {
    /// The payload does not inflate to the model planes of the recorded shapes.
    case corruptPayload

    public var description: String { "corrupted .vdmz file: the stored pixel payload does not inflate" }
}
