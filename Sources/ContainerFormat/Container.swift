import Bytes
import Imaging
import PixelCoding
/// The `.vdmz` file format. `serialized()` writes version 2; `init(parsing:)` reads versions 1 and 2.
/// Fixed-width integers are little-endian; a varint is unsigned LEB128 (`ByteWriter.appendVarint`).
///
/// Both versions begin alike:
///
///     magic            8 bytes   89 56 44 4D 5A 0D 0A 1A   ("\x89VDMZ\r\n\x1A")
///     format version   u16       1 or 2
///     coder            u8        PixelCoderKind: 0 stored (zlib), 1 bits-back VDM
///     flags            u8        bit 0: dataset archive (restore every image by its name); others 0
///     model hash       32 bytes  SHA-256 of the checkpoint (all zero when the coder needs no model)
///
/// Version 2 continues (`ContainerVersion2.swift`):
///
///     image count      varint    1 … maxImageCount
///     records          varint raw length, varint stored length, then a zlib stream of stored-length bytes
///                      that inflates to exactly raw-length bytes: the image records laid out by column
///                      (each column holds its field for every image, in image order), so that deflate
///                      finds the repeats; the columns must fill the raw bytes exactly:
///       names          per image a tag u8: 0 explicit, then varint byte length ≤ maxNameBytes and the
///                      UTF-8 bytes; 1 the previous image's name with its last run of ASCII digits
///                      incremented by one at the same width (`NameSequence`; never for the first image)
///       sizes          per image width varint, height varint: each 1 … 2³² − 1, width·height ≤ ImageLimits.maxPixels
///       kinds          per image colour type u8 (PNG code 0, 2, 3, 4, 6), bit depth u8 (allowed for the
///                      colour type), interlaced u8 (0 or 1)
///       steps          per image steps T varint ≤ CoderLimits.maxSteps (4096)
///       planes         per image plane count u8 ≤ SidePlane.Kind.allCases.count, then per plane kind u8
///                      (strictly ascending), raw length varint, stored length varint
///     side planes      the zlib streams of every image's planes, in image order and plane order
///     pixel digest     32 bytes  SHA-256 of the concatenation of every image's SHA-256 of its canonical
///                                samples, in image order (`PixelChecksum.digest(of:)`)
///     payload length   varint    then the coder's payload
///     CRC-32           u32       zlib CRC-32 of every byte before it
///
/// Version 1 (read only; `ContainerVersion1.swift`) continues:
///
///     image count      u32       1 … maxImageCount
///     per image:
///       name length    u16       ≤ maxNameBytes, then the name in UTF-8
///       width, height  u32, u32  ≥ 1, width·height ≤ ImageLimits.maxPixels
///       colour type    u8        PNG code (0, 2, 3, 4, 6)
///       bit depth      u8        allowed for the colour type
///       interlaced     u8        0 or 1
///       steps T        u32       ≤ CoderLimits.maxSteps (4096)
///       pixel checksum 32 bytes  SHA-256 of the canonical samples
///       plane count    u8        ≤ SidePlane.Kind.allCases.count, kinds strictly ascending
///       per plane:     kind u8, raw length u32, stored length u32, zlib stream (stored length bytes)
///     payload length   u64       then the coder's payload
///     CRC-32           u32       zlib CRC-32 of every byte before it
///
/// Why version 2: version 1 spends 50 bytes on every image besides its name (u16 name length, u32 sizes
/// and steps, a 32-byte SHA-256), 65 bytes with a name like "cifar_00000.png": in a dataset archive of
/// 32×32 RGB images (3,072 sub-pixels each), 0.17 bits per sub-pixel, 4 % of a file at ≈3.9 bits per
/// sub-pixel and more than all of bits-back coding's own overhead. Version 2 stores the records as
/// varints, by column, deflated: a numbered name costs one tag byte, repeated sizes, kinds and steps
/// almost nothing. An archive of 500 such images spends 146 bytes besides its payload (header, records,
/// pixel digest and CRC: 0.29 bytes per image, 0.0008 bits per sub-pixel) against 32,560 in version 1
/// (`ContainerTests.testDatasetRecordsCostAlmostNothing`).
///
/// Why one digest (docs/DESIGN.md §5) and not a pixel checksum per image: version 2 keeps one pixel digest for the
/// whole archive. A per-image SHA-256 costs 256 bits per image, 0.083 bits per sub-pixel on CIFAR; a
/// bits-back archive is one ANS chain, so damage anywhere spoils every image decoded after it anyway;
/// and `Archive.decompress` checks the digest over all decoded images before it returns any, so no
/// wrong image is ever written. A version-1 file's digest is computed from its per-image checksums (both
/// versions expose the same `pixelDigest`), and those are still checked image by image.
///
/// Parsing checks every length against the bytes that remain and against `ImageLimits` before it
/// allocates (version 2's records: at most `RecordColumns.maxRecordBytes` per image and no more than
/// deflate can expand their stored bytes to, `Zlib.maxExpansion`; likewise each side plane), and reports
/// any damage as a `ContainerError`.
public struct Container: Equatable, Sendable {
    public static let magic: [UInt8] = [0x89, 0x56, 0x44, 0x4D, 0x5A, 0x0D, 0x0A, 0x1A]
    /// The format version `serialized()` writes.
    public static let formatVersion = 2
    /// The format versions `init(parsing:)` reads.
    public static let readableVersions = 1...2
    public static let maxImageCount = 1 << 20
    public static let maxNameBytes = 1024
    /// Largest kept-chunks plane (the PNG reader keeps chunks of at most 8 MB each).
    public static let maxChunksPlaneBytes = 1 << 26

    /// The format version of the bytes this container was parsed from; `formatVersion` for a container
    /// made in memory (`serialized()` always writes `formatVersion`).
    public let version: Int
    public let coder: PixelCoderKind
    /// Dataset archive: images are restored under their stored names.
    public let isDataset: Bool
    /// SHA-256 of the checkpoint (32 bytes; zeros when `coder.requiresModel` is false).
    public let modelHash: [UInt8]
    public let images: [ContainerImage]
    /// SHA-256 of the images' pixel checksums in image order (`PixelChecksum.digest(of:)`), 32 bytes:
    /// read from a version-2 file, computed from the per-image checksums of a version-1 file.
    public let pixelDigest: [UInt8]
    /// The pixel coder's payload (opaque here).
    public let payload: [UInt8]

    /// A container to write.
    /// - Parameter pixelDigest: `PixelChecksum.digest(of:)` over the images' pixel checksums.
    /// - Throws: `ContainerError.invalidField` if a hash is not 32 bytes, there is no image, or the
    ///   images carry per-image checksums (read from a version-1 file) that do not give `pixelDigest`.
    public init(
        coder: PixelCoderKind, isDataset: Bool, modelHash: [UInt8], images: [ContainerImage],
        pixelDigest: [UInt8], payload: [UInt8]
    ) throws {
        try self.init(
            version: Container.formatVersion, coder: coder, isDataset: isDataset, modelHash: modelHash,
            images: images, pixelDigest: pixelDigest, payload: payload)
    }

    init(
        version: Int, coder: PixelCoderKind, isDataset: Bool, modelHash: [UInt8], images: [ContainerImage],
        pixelDigest: [UInt8], payload: [UInt8]
    ) throws {
        guard modelHash.count == 32 else { throw ContainerError.invalidField("model hash must be 32 bytes") }
        guard !images.isEmpty, images.count <= Container.maxImageCount else {
            throw ContainerError.invalidField("image count \(images.count) outside 1…\(Container.maxImageCount)")
        }
        // A shard of a version-4 archive carries the first bytes of its digest (its shard check).
        guard
            pixelDigest.count == PixelChecksum.byteCount
                || (version == ShardedContainer.formatVersion && pixelDigest.count == ShardedContainer.shardCheckByteCount)
        else {
            throw ContainerError.invalidField("pixel digest must be \(PixelChecksum.byteCount) bytes")
        }
        let checksums = images.compactMap(\.pixelChecksum)
        if !checksums.isEmpty {
            guard checksums.count == images.count, Container.digest(of: checksums, matches: pixelDigest) else {
                throw ContainerError.invalidField("the images' pixel checksums do not give the pixel digest")
            }
        }
        self.version = version
        self.coder = coder
        self.isDataset = isDataset
        self.modelHash = modelHash
        self.images = images
        self.pixelDigest = pixelDigest
        self.payload = payload
    }

    /// The container's bytes, in format version `formatVersion`.
    /// - Throws: `ContainerError.invalidField` for a name, size or step count that does not fit the format.
    public func serialized() throws -> [UInt8] {
        guard pixelDigest.count == PixelChecksum.byteCount else {
            throw ContainerError.invalidField("a shard with a short pixel check is written only inside a sharded archive")
        }
        var writer = ByteWriter()
        writer.append(Container.magic)
        writer.append(UInt16(Container.formatVersion))
        writer.append(coder.rawValue)
        writer.append(UInt8(isDataset ? 1 : 0))
        writer.append(modelHash)
        try writeVersion2Body(to: &writer)
        let crc = CRC32.checksum(writer.bytes[...])
        writer.append(crc)
        return writer.bytes
    }

    /// Parses a container of any version in `readableVersions`.
    /// - Parameter verifyingChecksum: false only in tests that exercise the parser on damaged data.
    /// - Throws: `ContainerError`.
    public init(parsing bytes: [UInt8], limits: ImageLimits = .standard, verifyingChecksum: Bool = true) throws {
        do {
            try self.init(reading: bytes, limits: limits, verifyingChecksum: verifyingChecksum)
        } catch let error as ByteReaderError {
            throw ContainerError(error)
        }
    }

    private init(reading bytes: [UInt8], limits: ImageLimits, verifyingChecksum: Bool) throws {
        var reader = ByteReader(bytes)
        guard bytes.count >= Container.magic.count else {
            throw bytes.elementsEqual(Container.magic.prefix(bytes.count)) && !bytes.isEmpty
                ? ContainerError.truncated : ContainerError.notAContainer
        }
        guard try reader.readBytes(Container.magic.count) == Container.magic else { throw ContainerError.notAContainer }
        let version = Int(try reader.readUInt16())
        guard Container.readableVersions.contains(version) else { throw ContainerError.unsupportedVersion(version) }
        guard let coder = PixelCoderKind(rawValue: try reader.readUInt8()) else {
            throw ContainerError.invalidField("unknown coder")
        }
        let flags = try reader.readUInt8()
        guard flags & ~1 == 0 else { throw ContainerError.invalidField("unknown flags") }
        let modelHash = try reader.readBytes(32)
        let body =
            version == 1
            ? try Container.readVersion1Body(from: &reader, limits: limits)
            : try Container.readVersion2Body(from: &reader, limits: limits)
        let crcOffset = reader.offset
        let storedCRC = try reader.readUInt32()
        guard reader.isAtEnd else { throw ContainerError.trailingBytes }
        if verifyingChecksum && CRC32.checksum(bytes[..<crcOffset]) != storedCRC { throw ContainerError.checksumMismatch }

        // The work the payload demands, before any side plane is inflated or any model is loaded.
        try limits.admitWork(
            Container.work(body.records.map { ($0.header.width, $0.header.height, $0.steps) }),
            payloadBytes: body.payload.count)
        let images = try body.records.map { try $0.inflated() }
        try self.init(
            version: version, coder: coder, isDataset: flags & 1 == 1, modelHash: modelHash, images: images,
            pixelDigest: body.pixelDigest, payload: body.payload)
    }

    /// Whether the pixel digest of `checksums` (§1.6) begins with `digest`: all 32 bytes, or a
    /// version-4 shard's check.
    public static func digest(of checksums: [[UInt8]], matches digest: [UInt8]) -> Bool {
        !digest.isEmpty && PixelChecksum.digest(of: checksums).prefix(digest.count).elementsEqual(digest)
    }

    /// The decoding work of this container's images, in pixel-steps: Σ width · height · (T + 1). A lower
    /// bound of what the bits-back coder counts per tile (`BitsBackCoder.work(of:steps:)`).
    public var decodingWork: Int { Container.work(of: images) }

    /// The decoding work of `images` (as `decodingWork`).
    public static func work(of images: [ContainerImage]) -> Int {
        work(images.map { ($0.header.width, $0.header.height, $0.steps) })
    }

    /// Σ width · height · (steps + 1), saturating at `Int.max`.
    static func work(_ sizes: [(width: Int, height: Int, steps: Int)]) -> Int {
        var total = 0
        for size in sizes {
            let (pixels, o1) = size.width.multipliedReportingOverflow(by: size.height)
            let (work, o2) = pixels.multipliedReportingOverflow(by: size.steps + 1)
            let (sum, o3) = total.addingReportingOverflow(work)
            if o1 || o2 || o3 { return .max }
            total = sum
        }
        return total
    }

    /// Checks `images`, before they are coded, against everything a reader of the container checks with
    /// `limits`: the pixel limits, the side-plane sizes, the image count, and for a dataset archive the
    /// names (`EntryName`). So `compress` refuses what `decompress` would refuse at the same settings,
    /// before it spends time coding (the work limit needs the payload's size: `admitWork`).
    /// - Throws: `ContainerError.limitExceeded` or `.invalidField` naming the first problem.
    public static func checkWritable(_ images: [ContainerImage], isDataset: Bool, limits: ImageLimits) throws {
        guard !images.isEmpty, images.count <= maxImageCount else {
            throw ContainerError.limitExceeded("\(images.count) images (limit \(maxImageCount))")
        }
        var total = 0
        for image in images {
            try validateForWriting(image)
            let pixels = try limits.admitContainerImage(
                width: image.header.width, height: image.header.height, totalPixels: &total)
            for plane in image.sidePlanes where plane.bytes.count > maxRawBytes(of: plane.kind, pixels: pixels) {
                throw ContainerError.limitExceeded(
                    "\(EntryName.printable(image.name)): \(plane.kind) side plane of \(plane.bytes.count) bytes "
                        + "(limit \(maxRawBytes(of: plane.kind, pixels: pixels)))")
            }
            if isDataset, let problem = EntryName.problem(in: image.name) {
                throw ContainerError.invalidField(
                    "unusable name \"\(EntryName.printable(image.name))\" for an archive entry: \(problem)")
            }
        }
    }

    /// The largest raw size a side plane of `kind` can have for an image of `pixels` pixels. A
    /// context-coded alpha plane (kind 9) gets what the context coder's raw mode needs: 8 bits a sample,
    /// a mode byte per stripe (every stripe but the last holds more than 2^19 pixels) and 64 bytes for the
    /// payload's version and message framing.
    public static func maxRawBytes(of kind: SidePlane.Kind, pixels: Int) -> Int {
        switch kind {
        case .alphaModelled: return pixels + pixels >> 19 + 64
        case .alpha, .alphaLow, .paletteRank, .paletteIndices: return pixels
        case .colorLow: return 3 * pixels
        case .palette: return 768
        case .transparency: return 256
        case .chunks: return maxChunksPlaneBytes
        }
    }

    /// Refuses what no version can store: a name longer than `maxNameBytes`, steps outside
    /// 0…`CoderLimits.maxSteps`, a side outside 1…2³² − 1, two side planes of one kind.
    static func validateForWriting(_ image: ContainerImage) throws {
        guard image.name.utf8.count <= Container.maxNameBytes else {
            throw ContainerError.invalidField("name longer than \(Container.maxNameBytes) bytes")
        }
        guard image.steps >= 0, image.steps <= CoderLimits.maxSteps else {
            throw ContainerError.invalidField("steps \(image.steps) outside 0…\(CoderLimits.maxSteps)")
        }
        guard (1...Int(UInt32.max)).contains(image.header.width), (1...Int(UInt32.max)).contains(image.header.height) else {
            throw ContainerError.invalidField("image dimensions \(image.header.width)×\(image.header.height)")
        }
        guard Set(image.sidePlanes.map(\.kind)).count == image.sidePlanes.count else {
            throw ContainerError.invalidField("two side planes of the same kind")
        }
    }
}
