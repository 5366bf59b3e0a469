import ContainerFormat
import Parallelism
import Foundation
import Imaging
import PixelCoding

/// How many images go into one shard of a sharded dataset archive.
public enum ShardSize: Equatable, Sendable {
    /// At most this many images per shard.
    case images(Int)
    /// At most this many pixels (width·height) per shard; an image larger than that is a shard alone.
    case pixels(Int)

    /// The default: 2^20 pixels, 1,024 images of 32×32. A shard of container format 4 pays one chain's
    /// start (state, initial bits, small first tiles, tile list) and its check, CRC and index entry:
    /// measured 261 bytes per shard on CIFAR-10 (default model, T = 64; 1,433 bytes per image). Inside,
    /// a bits-back shard is cut into chains of `BitsBackCoder.datasetChainPixels` (a first chain of 128
    /// such images and 14 of 64), which borrow their start from the shard's first chain at a few dozen
    /// bytes each, so that random access decodes one chain (docs/DISTRIBUTED.md).
    public static let standard = ShardSize.pixels(1 << 20)

    /// The partition of images with `pixelCounts` (in order) into consecutive shards: a shard is closed
    /// when the next image would exceed the size. Every shard holds at least one image.
    public func partition(_ pixelCounts: [Int]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var pixels = 0
        for (index, count) in pixelCounts.enumerated() {
            let full: Bool
            switch self {
            case .images(let limit): full = index - start >= max(1, limit)
            case .pixels(let limit): full = index > start && pixels + count > limit
            }
            if full {
                ranges.append(start..<index)
                start = index
                pixels = 0
            }
            pixels += count
        }
        if start < pixelCounts.count { ranges.append(start..<pixelCounts.count) }
        return ranges
    }
}

/// Dataset archives cut into independent shards (`ShardedContainer`), coded and decoded in parallel.
/// The bytes depend only on the images, the shard size and the coder's parameters: each shard is coded
/// alone by a deterministic coder, so neither the thread count nor the machine that coded a shard shows.
public enum ShardedArchive {
    /// Codes each shard of `images` (cut by `size`) on its own chain, shards in parallel.
    /// - Parameters:
    ///   - threads: all threads to use: `min(threads, shards)` shards in flight, the rest inside each.
    ///   - makeCoder: a coder with the given network thread count (called once per worker thread).
    /// - Returns: the shard containers, in order; `ShardedContainer.assemble` makes the archive.
    ///   - decomposed: the images' planes from `decomposing(_:size:threads:limits:)`, when several coders are
    ///     tried on the same images (each image's alpha plane is then modelled once); nil: made here.
    public static func compressShards(
        _ images: [NamedImage], size: ShardSize, threads: Int,
        limits: ImageLimits = .standard, decomposed: [DecomposedImage]? = nil,
        makeCoder: (Int) throws -> any PixelCoder,
        progress: CodingProgress? = nil
    ) throws -> [Container] {
        guard !images.isEmpty else { throw ArchiveError.noImages }
        let ranges = size.partition(images.map(\.image.pixelCount))
        return try ParallelJobs.run(count: ranges.count, threads: threads, progress: progress) { inner in
            let coder = try makeCoder(inner)
            return { shard in
                let shardImages = Array(images[ranges[shard]])
                return try Archive.compress(
                    shardImages,
                    decomposed: try decomposed.map { Array($0[ranges[shard]]) }
                        ?? Archive.decomposing(shardImages, checking: (true, limits), threads: inner),
                    coder: coder, isDataset: true, limits: limits, progress: nil)
            }
        }
    }

    /// The planes of `images` for `compressShards`: each shard's images held against a container's limits
    /// first (before any coding), then each alpha plane modelled on `threads` threads.
    public static func decomposing(
        _ images: [NamedImage], size: ShardSize, threads: Int, limits: ImageLimits = .standard
    ) throws -> [DecomposedImage] {
        let plain = images.map { ImageLayout.decompose($0.image) }
        for range in size.partition(images.map(\.image.pixelCount)) {
            try Archive.checkWritable(Array(images[range]), Array(plain[range]), isDataset: true, limits: limits)
        }
        return try plain.map { try AlphaPlaneCoding.modelling($0, threads: threads) }
    }

    /// The archive bytes of `images`: format 2 when they fit in one shard, format 4 otherwise.
    public static func compress(
        _ images: [NamedImage], size: ShardSize, threads: Int,
        makeCoder: (Int) throws -> any PixelCoder,
        progress: CodingProgress? = nil
    ) throws -> [UInt8] {
        try ShardedContainer.assemble(
            compressShards(
                images, size: size, threads: threads, makeCoder: makeCoder,
                progress: progress))
    }

    /// Decodes the shards `numbers` of a sharded archive (each read alone from `source` and checked
    /// against its CRC-32 and pixel digest), in parallel.
    /// - Parameters:
    ///   - wantedImages: per shard of `numbers`, the images wanted (nil: all): a shard's decoder decodes
    ///     what they need (`Archive.decompress(_:coder:wanted:progress:)`; the pixel digest is then not
    ///     checked, the CRC-32 still is).
    ///   - makeDecoder: the decoder of a shard container, with the given network thread count.
    /// - Returns: per shard of `numbers`, the images decoded (at least those wanted), in order.
    public static func decompress(
        _ index: ShardedContainer, shards numbers: [Int], wantedImages: [Set<Int>]? = nil,
        from source: some ByteSource & Sendable,
        threads: Int, limits: ImageLimits = .standard,
        makeDecoder: @escaping (Container, Int) throws -> any PixelCoder,
        progress: CodingProgress? = nil
    ) throws -> [[NamedImage]] {
        try ParallelJobs.run(count: numbers.count, threads: threads, progress: progress) { inner in
            var decoder: (any PixelCoder)?
            return { position in
                let container = try index.shard(numbers[position], from: source, limits: limits)
                if decoder == nil { decoder = try makeDecoder(container, inner) }
                return try Archive.decompress(
                    container, coder: decoder!, wanted: wantedImages?[position] ?? Set(container.images.indices))
            }
        }
    }
}
