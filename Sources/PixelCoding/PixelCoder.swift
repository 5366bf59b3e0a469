import Imaging
/// Reports progress of a coder as a fraction in 0…1 (called from the coding thread).
public typealias CodingProgress = (_ fractionDone: Double) -> Void

/// Entropy coder of the model planes of one or more images onto one payload. The bits-back VDM chain
/// implements this; `StoredPixelCoder` is the placeholder that is not a compressor.
///
/// Contract: for any `images`, `decode(encode(images), shapes: images.map { $0.shape(steps: steps) })`
/// returns `images` exactly. `decode` must throw (never crash or hang) on a damaged payload; a wrong
/// but successful decode is caught by the container's pixel checksums.
public protocol PixelCoder {
    /// The tag recorded in the container.
    var kind: PixelCoderKind { get }
    /// SHA-256 of the checkpoint the coder uses, 32 bytes (all zero when it uses none).
    var modelHash: [UInt8] { get }
    /// Diffusion steps T recorded with each image it encodes (0 when it has no diffusion chain).
    var steps: Int { get }
    /// Codes all images onto one payload, in order (dataset mode: one stack for all).
    func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8]
    /// Decodes the images of `payload`, given their shapes in encoding order.
    func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage]
    /// Decodes at least the images `wanted` (indices into `shapes`) of `payload` (random access): one entry
    /// per shape, an image or nil, never nil for a wanted one. A coder whose decoder meets the images last
    /// to first (a stack) decodes only what lies above the wanted images and skips the end-of-payload
    /// check of a chain it stops early, so the images it returns are then checked only by what it decodes
    /// on the way. When `wanted` holds every image, it decodes and checks as `decode(_:shapes:progress:)`.
    func decode(_ payload: [UInt8], shapes: [ModelImageShape], wanted: Set<Int>, progress: CodingProgress?) throws
        -> [ModelImage?]
}

extension PixelCoder {
    /// Decodes every image: for coders that cannot stop early.
    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], wanted: Set<Int>, progress: CodingProgress?) throws
        -> [ModelImage?]
    {
        try decode(payload, shapes: shapes, progress: progress)
    }
}

/// All-zero model hash, for coders without a model.
public let noModelHash = [UInt8](repeating: 0, count: 32)
