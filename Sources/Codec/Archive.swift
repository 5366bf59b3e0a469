import ContainerFormat
import Imaging
import PixelCoding
/// The whole pipeline between images and container bytes:
/// PNG kind → `ImageLayout` planes → `PixelCoder` payload + zlib side planes → `Container`.
public enum Archive {
    /// Codes `images` into one container (written in `Container.formatVersion`).
    /// - Parameters:
    ///   - isDataset: mark the container so that every image is restored by its name.
    ///   - limits: what a reader with these limits accepts; anything it would refuse (an image or archive
    ///     above the pixel limits, a side plane above its size limit, a dataset entry name outside
    ///     `EntryName`'s rule, more decoding work than the payload's size allows) is refused here, the
    ///     size limits before any coding.
    ///   - threads: the threads the context coder of an alpha plane may use (`AlphaPlaneCoding`; the bytes
    ///     do not depend on it).
    /// - Throws: `ContainerError` for what the limits refuse, the coder's errors.
    public static func compress(
        _ images: [NamedImage], coder: any PixelCoder, isDataset: Bool,
        limits: ImageLimits = .standard, threads: Int = 1, progress: CodingProgress? = nil
    ) throws -> Container {
        guard !images.isEmpty else { throw ArchiveError.noImages }
        return try compress(
            images,
            decomposed: try decomposing(images, checking: (isDataset, limits), threads: threads),
            coder: coder, isDataset: isDataset, limits: limits, progress: progress)
    }

    /// Each image's planes (`ImageLayout.decompose`), with its alpha plane context-coded where that is
    /// smaller in the file (`AlphaPlaneCoding`). With `checking`, the images are first held against what
    /// a container of them may hold (`Container.checkWritable`), before any coding.
    public static func decomposing(
        _ images: [NamedImage], checking: (isDataset: Bool, limits: ImageLimits)?, threads: Int
    ) throws -> [DecomposedImage] {
        let plain = images.map { ImageLayout.decompose($0.image) }
        if let checking { try checkWritable(images, plain, isDataset: checking.isDataset, limits: checking.limits) }
        return try plain.map { try AlphaPlaneCoding.modelling($0, threads: threads) }
    }

    /// Holds `images` (with their planes `plain`, alpha as kind 1) against what one container of them may
    /// hold (`Container.checkWritable`).
    static func checkWritable(_ images: [NamedImage], _ plain: [DecomposedImage], isDataset: Bool, limits: ImageLimits) throws {
        let records = zip(images, plain).map { named, parts in
            ContainerImage(name: named.name, header: parts.header, steps: 0, sidePlanes: parts.sidePlanes)
        }
        try Container.checkWritable(records, isDataset: isDataset, limits: limits)
    }

    /// `compress` with the images' planes already made (`decomposed[i]` is `ImageLayout.decompose` of
    /// `images[i]`), so that a choice among coders splits each image once.
    static func compress(
        _ images: [NamedImage], decomposed: [DecomposedImage], coder: any PixelCoder, isDataset: Bool,
        limits: ImageLimits, progress: CodingProgress?
    ) throws -> Container {
        let records = zip(images, decomposed).map { named, parts in
            ContainerImage(name: named.name, header: parts.header, steps: coder.steps, sidePlanes: parts.sidePlanes)
        }
        try Container.checkWritable(records, isDataset: isDataset, limits: limits)
        let payload = try coder.encode(decomposed.map(\.model), progress: progress)
        try limits.admitWork(Container.work(of: records), payloadBytes: payload.count)
        return try Container(
            coder: coder.kind, isDataset: isDataset, modelHash: coder.modelHash, images: records,
            pixelDigest: PixelChecksum.digest(of: images.map { PixelChecksum.of($0.image) }),
            payload: payload)
    }

    /// Codes `images` with each of `coders` and keeps the smallest container (the first of equal sizes):
    /// the encoder's choice of coder by measured cost (`vdmz compress --coder auto`). Progress runs once
    /// over all coders.
    ///
    /// When every image is gray (PNG gray or gray + alpha) and another coder is offered, the diffusion
    /// prior's coders (bits-back, hybrid) are not tried: the prior is an RGB model that codes gray as three
    /// equal planes, measured at 1.8× JPEG XL's size on gray photographs where the context coder, which
    /// codes one plane, is within 2.4 % (docs/DESIGN.md "Whole-image choice"), and its network would take
    /// minutes per megapixel to lose.
    ///
    /// Coders that can bound their size (`PayloadSizeBounding`: bits-back, by a step-sampled ELBO) are
    /// tried after the others, and left out when their bound shows their payload larger than the smallest
    /// payload so far: on photographs where the context coder wins (22 of 24 Kodak images with the shipped
    /// model) that spends 6 or 10 network passes instead of bits-back's T + 1 and its coding. The result is
    /// the container the full trial would keep whenever the bound holds; where it errs, the kept file is
    /// the smallest of the coders tried.
    /// - Returns: the container, its bytes and the coder that made it.
    public static func compressSmallest(
        _ images: [NamedImage], coders: [any PixelCoder], isDataset: Bool,
        limits: ImageLimits = .standard, progress: CodingProgress? = nil
    )
        throws -> (container: Container, bytes: [UInt8], coder: any PixelCoder)
    {
        try compressSmallestReporting(images, coders: coders, isDataset: isDataset, limits: limits, progress: progress)
            .kept
    }

    /// Most pixels (of all the images) for which `compressSmallestReporting` works aside (`SmallestTrial`,
    /// `worksAside`): while the first coder's trial runs, the other unbounded coders' trials and the
    /// bound's first stage run on a thread of their own. 2^22. On a 256×256 image the context coder's last
    /// steps (its copy layer, one thread) and the stored coder's zlib left a core idle for about a fifth of
    /// a two-thread compress, which the stored trial and the bound's network passes now fill. Larger
    /// images keep to one trial at a time, so that a 24-megapixel compress does not hold the bound's planes
    /// and network workspace beside the context coder's stripes.
    public static let workAsidePixels = 1 << 22

    /// `compressSmallest`, also returning the coders it left out by their size bound (in the order tried).
    /// - Parameter threads: the threads the coders were made with; with 2 or more, trials and a bound's
    ///   first stage may run beside the first trial (`workAsidePixels`); with 1 all keep to one thread.
    public static func compressSmallestReporting(
        _ images: [NamedImage], coders: [any PixelCoder], isDataset: Bool,
        limits: ImageLimits = .standard, threads: Int = 1, progress: CodingProgress? = nil
    )
        throws -> (kept: (container: Container, bytes: [UInt8], coder: any PixelCoder), leftOut: [any PixelCoder])
    {
        guard !coders.isEmpty, !images.isEmpty else { throw ArchiveError.noImages }
        let coders = candidates(coders, for: images)
        let decomposed = try decomposing(images, checking: (isDataset, limits), threads: threads)
        let models = decomposed.map(\.model)
        let choice = try SmallestTrial.smallest(
            of: coders, progress: progress,
            bound: { ($0 as? any PayloadSizeBounding)?.sizeBound(for: models) },
            worksAside: threads > 1 && models.reduce(0) { $0 + $1.width * $1.height } <= workAsidePixels,
            payloadSize: { (kept: (container: Container, bytes: [UInt8])) in kept.container.payload.count },
            size: { $0.bytes.count },
            trial: { coder, share in
                let container = try compress(
                    images, decomposed: decomposed, coder: coder, isDataset: isDataset, limits: limits, progress: share)
                return (container, try container.serialized())
            })!
        return ((choice.outcome.container, choice.outcome.bytes, coders[choice.index]), choice.leftOut)
    }

    /// The coders of `compressSmallest` worth trying on `images`: all of them, except that the diffusion
    /// prior's are left out when every image is gray and a coder without the prior remains.
    static func candidates(_ coders: [any PixelCoder], for images: [NamedImage]) -> [any PixelCoder] {
        let allGray = !images.isEmpty && images.allSatisfy { $0.image.colorType == .gray || $0.image.colorType == .grayAlpha }
        guard allGray else { return coders }
        let withoutPrior = coders.filter { $0.kind != .bitsBack && $0.kind != .hybrid }
        return withoutPrior.isEmpty ? coders : withoutPrior
    }

    /// Restores every image of `container` and checks them against the container's pixel digest (and,
    /// for a version-1 file, each against its own pixel checksum) before returning any.
    /// - Throws: `ArchiveError` (coder or model mismatch, checksum or digest mismatch), the coder's
    ///   errors, `LayoutError` or `PNGError` for planes that do not fit together.
    public static func decompress(
        _ container: Container, coder: any PixelCoder,
        progress: CodingProgress? = nil
    ) throws -> [NamedImage] {
        try decompress(container, coder: coder, wanted: Set(container.images.indices), progress: progress)
    }

    /// Decodes at least the images `wanted` of `container` (random access into a dataset), and returns
    /// every image it decoded, in order: the coder may decode only what the wanted images need
    /// (`PixelCoder.decode(_:shapes:wanted:progress:)`). Each image returned is checked by its record's
    /// pixel checksum where it has one; the pixel digest, which covers every image, only when all were
    /// decoded.
    public static func decompress(
        _ container: Container, coder: any PixelCoder, wanted: Set<Int>,
        progress: CodingProgress? = nil
    ) throws -> [NamedImage] {
        guard coder.kind == container.coder else {
            throw ArchiveError.coderMismatch(container: container.coder, given: coder.kind)
        }
        if container.coder.requiresModel && coder.modelHash != container.modelHash {
            throw ArchiveError.modelMismatch(expected: hex(container.modelHash), found: hex(coder.modelHash))
        }
        guard !wanted.isEmpty, wanted.allSatisfy(container.images.indices.contains) else {
            throw ContainerError.invalidField("the images wanted are not among the \(container.images.count)")
        }
        let shapes = container.images.map(\.shape)
        let models = try coder.decode(container.payload, shapes: shapes, wanted: wanted, progress: progress)
        guard models.count == shapes.count, wanted.allSatisfy({ models[$0] != nil }),
            zip(models, shapes).allSatisfy({ $0 == nil || ($0!.width == $1.width && $0!.height == $1.height) })
        else {
            throw ArchiveError.decodedShapeMismatch
        }
        var images: [NamedImage] = []
        var checksums: [[UInt8]] = []
        images.reserveCapacity(models.count)
        checksums.reserveCapacity(models.count)
        for (record, model) in zip(container.images, models) {
            guard let model else { continue }
            let planes = try AlphaPlaneCoding.restoring(
                record.sidePlanes, width: record.header.width, height: record.header.height)
            let image = try ImageLayout.compose(header: record.header, model: model, sidePlanes: planes)
            let checksum = PixelChecksum.of(image)
            if let expected = record.pixelChecksum, checksum != expected {
                throw ArchiveError.pixelChecksumMismatch(name: record.name)
            }
            images.append(NamedImage(name: record.name, image: image))
            checksums.append(checksum)
        }
        guard checksums.count < shapes.count || Container.digest(of: checksums, matches: container.pixelDigest) else {
            throw ArchiveError.pixelDigestMismatch
        }
        return images
    }

    /// Lower-case hexadecimal of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
