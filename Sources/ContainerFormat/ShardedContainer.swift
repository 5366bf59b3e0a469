import Bytes
import Imaging
import PixelCoding
/// A sharded dataset archive: container format version 4 (written) or 3 (read only; docs/FORMAT.md
/// §1.9, §1.10). The images are split into shards, each coded on its own chain (its own initial bits);
/// an index in front names every image and gives every shard's length, so a reader finds and decodes one
/// shard without reading, checking or allocating the others' bytes.
///
///     header           44 bytes  as every version (§1.1): version 3 or 4, flags bit 0 (dataset) set
///     index length I   u32       ≤ the bytes that remain − 4
///     index            I bytes:
///       shard count k  varint    1 … maxShardCount
///       per shard      varint image count (≥ 1; the sum ≤ Container.maxImageCount),
///                      varint byte length
///       version 3:     varint raw length, varint stored length, zlib stream: the names column of
///                      format 2 (§1.2) for every image of every shard, in shard order
///       version 4:     varint raw length, varint stored length, zlib stream: all five record columns
///                      of format 2 (§1.2) for every image, in shard order; varint length K and the K
///                      bytes that begin every shard's payload (the shared payload prefix)
///     index CRC-32     u32       of every byte before it, from the magic on
///     shards           k times: version 3: a format-2 body (image count … payload, §1.2) and the CRC-32
///                      of that body; version 4: the side planes of its images, an 8-byte shard check
///                      (the first 8 bytes of its pixel digest), the payload after the shared prefix,
///                      and the CRC-32 of those bytes
///
/// Version 4 moves what every shard of version 3 repeated (records, parameters at the start of the
/// payload, a 32-byte digest, the payload length) into the index, where it is paid once
/// (docs/DISTRIBUTED.md). The shards' lengths must add up to exactly the bytes after the index CRC.
/// Invariants: a writer writes version 4 only for two or more shards (one shard is a plain format-2
/// dataset archive, so a small dataset's bytes do not change), and `assemble` of the same shard
/// containers gives the same bytes whether they were coded on one machine or joined from separate files.
public struct ShardedContainer: Sendable {
    /// The version writers write.
    public static let formatVersion = 4
    /// The versions readers read.
    public static let readableVersions = 3...4
    /// Bytes of a version-4 shard's pixel check: the first bytes of its pixel digest (§1.6).
    public static let shardCheckByteCount = 8
    /// The most shards one archive may hold (the index is read and allocated before any shard).
    public static let maxShardCount = 1 << 16
    /// Bytes before the index: magic, version, coder, flags, model hash.
    static let headerByteCount = 44

    /// One shard's index entry.
    public struct Shard: Equatable, Sendable {
        /// The names of its images, in coding order.
        public let names: [String]
        /// Where its body starts in the file.
        public let offset: Int
        /// Its length in the file: the format-2 body and its 4-byte CRC-32.
        public let byteCount: Int
    }

    /// The format version of the file (3 or 4).
    public let version: Int
    public let coder: PixelCoderKind
    /// SHA-256 of the checkpoint (zeros when the coder needs no model).
    public let modelHash: [UInt8]
    public let shards: [Shard]
    /// Bytes of the header, the index and its CRC: what a reader reads before any shard.
    public let indexByteCount: Int
    /// The file's length.
    public let fileByteCount: Int

    /// Version 4: per shard, its images' records (the index holds them).
    let shardRecords: [[RecordColumns.Record]]
    /// Version 4: the bytes that begin every shard's payload (empty for version 3).
    public let payloadPrefix: [UInt8]

    /// Every image name, in shard order.
    public var names: [String] { shards.flatMap(\.names) }

    /// Whether `prefix` (at least the first 10 bytes of a file) starts a sharded (version 3 or 4) container.
    public static func isSharded(prefix: [UInt8]) -> Bool {
        prefix.count >= 10 && Array(prefix[0..<8]) == Container.magic && prefix[9] == 0
            && readableVersions.contains(Int(prefix[8]))
    }

    // MARK: - Writing

    /// The archive of `shards` (each a dataset container, all with one coder and model hash), in order:
    /// format 2 (`Container.serialized()`) for one shard (with a full pixel digest), format 4 for several.
    /// - Throws: `ContainerError.invalidField` for no shard, too many, mixed coders or models, a shard
    ///   that is not a dataset, or a name used twice.
    public static func assemble(_ shards: [Container]) throws -> [UInt8] {
        guard let first = shards.first else { throw ContainerError.invalidField("no shard") }
        guard shards.count <= maxShardCount else {
            throw ContainerError.invalidField("\(shards.count) shards; at most \(maxShardCount)")
        }
        var seen: Set<String> = []
        var imageCount = 0
        for shard in shards {
            guard shard.coder == first.coder, shard.modelHash == first.modelHash else {
                throw ContainerError.invalidField("shards of different coders or models")
            }
            guard shard.isDataset else { throw ContainerError.invalidField("a shard must be a dataset archive") }
            for image in shard.images where !seen.insert(image.name).inserted {
                throw ContainerError.invalidField("two images are named \(image.name)")
            }
            imageCount += shard.images.count
        }
        guard imageCount <= Container.maxImageCount else {
            throw ContainerError.invalidField("\(imageCount) images; at most \(Container.maxImageCount)")
        }
        // A shard read from a version-4 archive carries only its short check: it stays in version 4.
        if shards.count == 1 && first.pixelDigest.count == PixelChecksum.byteCount { return try first.serialized() }

        let images = shards.flatMap(\.images)
        let planes = try Container.deflatedSidePlanes(of: images)
        let records = RecordColumns.encode(images, storedPlaneCounts: planes.map { $0.map(\.count) })
        let storedRecords = try Zlib.compress(records)
        let prefix = commonPrefix(of: shards.map(\.payload))
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(shards.count)
        var firstImage = 0
        for shard in shards {
            var body = ByteWriter()
            for imagePlanes in planes[firstImage..<(firstImage + shard.images.count)] {
                for plane in imagePlanes { body.append(plane) }
            }
            firstImage += shard.images.count
            body.append(Array(shard.pixelDigest.prefix(shardCheckByteCount)))
            body.append(Array(shard.payload.dropFirst(prefix.count)))
            let crc = CRC32.checksum(body.bytes[...])
            body.append(crc)
            bodies.append(body.bytes)
        }
        var index = ByteWriter()
        index.appendVarint(UInt64(shards.count))
        for (shard, body) in zip(shards, bodies) {
            index.appendVarint(UInt64(shard.images.count))
            index.appendVarint(UInt64(body.count))
        }
        index.appendVarint(UInt64(records.count))
        index.appendVarint(UInt64(storedRecords.count))
        index.append(storedRecords)
        index.appendVarint(UInt64(prefix.count))
        index.append(prefix)

        var writer = ByteWriter()
        writer.append(Container.magic)
        writer.append(UInt16(formatVersion))
        writer.append(first.coder.rawValue)
        writer.append(UInt8(1))
        writer.append(first.modelHash)
        writer.append(UInt32(index.bytes.count))
        writer.append(index.bytes)
        let crc = CRC32.checksum(writer.bytes[...])
        writer.append(crc)
        for body in bodies { writer.append(body) }
        return writer.bytes
    }

    /// The longest run of bytes that begins every one of `payloads`.
    static func commonPrefix(of payloads: [[UInt8]]) -> [UInt8] {
        guard var prefix = payloads.first?[...] else { return [] }
        for payload in payloads.dropFirst() {
            let same = zip(prefix, payload).prefix { $0 == $1 }.count
            prefix = prefix.prefix(same)
        }
        return Array(prefix)
    }

    /// One archive from several archive files (format 1 or 2 dataset archives, each one shard, or
    /// format 3 or 4 archives, each contributing its shards), in order: the gather step of a distributed
    /// run. Joining the one-shard files of a partition gives the bytes of coding it on one machine.
    /// - Throws: `ContainerError`.
    public static func join(_ parts: [[UInt8]], limits: ImageLimits = .standard) throws -> [UInt8] {
        var shards: [Container] = []
        for part in parts {
            if isSharded(prefix: Array(part.prefix(10))) {
                let source = MemoryByteSource(part)
                let index = try ShardedContainer(readingIndexFrom: source, limits: limits)
                for number in index.shards.indices {
                    shards.append(try index.shard(number, from: source, limits: limits))
                }
            } else {
                shards.append(try Container(parsing: part, limits: limits))
            }
        }
        return try assemble(shards)
    }

    // MARK: - Reading

    /// Reads and checks the header and index of a version-3 or 4 file (not its shards); `limits` bound
    /// a version-4 index's records (each shard's pixels against `maxTotalPixels`).
    /// - Parameter verifyingChecksum: false only to fuzz the parser behind the index CRC.
    /// - Throws: `ContainerError`, or the source's error.
    public init(
        readingIndexFrom source: some ByteSource, limits: ImageLimits = .standard, verifyingChecksum: Bool = true
    ) throws {
        let fileByteCount = source.byteCount
        let headerAndLength = ShardedContainer.headerByteCount + 4
        let head = try source.bytes(in: 0..<min(fileByteCount, headerAndLength))
        guard head.count >= 8, Array(head[0..<8]) == Container.magic else {
            throw !head.isEmpty && head.elementsEqual(Container.magic.prefix(head.count))
                ? ContainerError.truncated : .notAContainer
        }
        guard head.count == headerAndLength else { throw ContainerError.truncated }
        var reader = ByteReader(head)
        do {
            _ = try reader.readBytes(8)
            let version = Int(try reader.readUInt16())
            guard ShardedContainer.readableVersions.contains(version) else {
                throw ContainerError.unsupportedVersion(version)
            }
            self.version = version
            guard let coder = PixelCoderKind(rawValue: try reader.readUInt8()) else {
                throw ContainerError.invalidField("unknown coder")
            }
            guard try reader.readUInt8() == 1 else {
                throw ContainerError.invalidField("a sharded archive must have flags 1 (dataset)")
            }
            self.coder = coder
            self.modelHash = try reader.readBytes(32)
            let indexLength = Int(try reader.readUInt32())
            guard indexLength <= fileByteCount - headerAndLength - 4 else { throw ContainerError.truncated }
            let indexAndCRC = try source.bytes(in: headerAndLength..<(headerAndLength + indexLength + 4))
            let storedCRC =
                UInt32(indexAndCRC[indexLength]) | UInt32(indexAndCRC[indexLength + 1]) << 8
                | UInt32(indexAndCRC[indexLength + 2]) << 16 | UInt32(indexAndCRC[indexLength + 3]) << 24
            let crc = CRC32.checksum((head + indexAndCRC[..<indexLength])[...])
            guard crc == storedCRC || !verifyingChecksum else { throw ContainerError.checksumMismatch }
            self.indexByteCount = headerAndLength + indexLength + 4
            self.fileByteCount = fileByteCount
            let index = try ShardedContainer.readIndex(
                Array(indexAndCRC[..<indexLength]), version: version, firstOffset: indexByteCount,
                fileByteCount: fileByteCount, limits: limits)
            self.shards = index.shards
            self.shardRecords = index.records
            self.payloadPrefix = index.payloadPrefix
        } catch let error as ByteReaderError {
            throw ContainerError(error)
        }
    }

    /// What an index holds beyond the header.
    private struct Index {
        var shards: [Shard] = []
        var records: [[RecordColumns.Record]] = []
        var payloadPrefix: [UInt8] = []
    }

    private static func readIndex(
        _ bytes: [UInt8], version: Int, firstOffset: Int, fileByteCount: Int, limits: ImageLimits
    ) throws -> Index {
        var reader = ByteReader(bytes)
        let count = try reader.readVarint()
        guard count >= 1, count <= UInt64(maxShardCount) else {
            throw ContainerError.invalidField("shard count \(count) outside 1…\(maxShardCount)")
        }
        // The least a shard holds: a CRC-32 after a body (v3) or after its check (v4).
        let minShardBytes = version == 3 ? 5 : shardCheckByteCount + 4
        var entries: [(images: Int, bytes: Int)] = []
        var totalImages = 0
        var offset = firstOffset
        for _ in 0..<Int(count) {
            let images = try reader.readVarint(atMost: Container.maxImageCount, "shard image count")
            let length = try reader.readVarint(atMost: fileByteCount, "shard length")
            totalImages += images
            guard images >= 1, totalImages <= Container.maxImageCount else {
                throw ContainerError.invalidField("shard image counts outside 1…\(Container.maxImageCount) in all")
            }
            guard length >= minShardBytes, length <= fileByteCount - offset else { throw ContainerError.truncated }
            offset += length
            entries.append((images, length))
        }
        guard offset == fileByteCount else { throw ContainerError.trailingBytes }
        var index = Index()
        var names: ArraySlice<String>
        if version == 3 {
            names = try readNames(&reader, count: totalImages)[...]
        } else {
            // Each shard's pixels are bounded as a container's; the archive's only by the image cap.
            var perArchive = limits
            perArchive.maxTotalPixels = Int.max
            var records = try Container.readRecords(from: &reader, count: totalImages, limits: perArchive)[...]
            for entry in entries {
                var pixels = 0
                for record in records.prefix(entry.images) {
                    _ = try limits.admitContainerImage(
                        width: record.header.width, height: record.header.height, totalPixels: &pixels)
                }
                index.records.append(Array(records.prefix(entry.images)))
                records = records.dropFirst(entry.images)
            }
            names = index.records.joined().map(\.name)[...]
            let prefixCount = try reader.readVarint(atMost: reader.remaining, "shared payload prefix length")
            index.payloadPrefix = try reader.readBytes(prefixCount)
        }
        guard reader.isAtEnd else { throw ContainerError.invalidField("bytes after the shard index") }
        offset = firstOffset
        for entry in entries {
            index.shards.append(Shard(names: Array(names.prefix(entry.images)), offset: offset, byteCount: entry.bytes))
            names = names.dropFirst(entry.images)
            offset += entry.bytes
        }
        return index
    }

    /// Version 3's names column: raw length, stored length, zlib stream.
    private static func readNames(_ reader: inout ByteReader, count totalImages: Int) throws -> [String] {
        let rawCount = try reader.readVarint()
        let storedCount = try reader.readVarint()
        guard storedCount <= UInt64(reader.remaining) else { throw ContainerError.truncated }
        let (expandable, overflow) = storedCount.multipliedReportingOverflow(by: UInt64(Zlib.maxExpansion))
        guard rawCount >= UInt64(totalImages), rawCount <= UInt64(totalImages * (11 + Container.maxNameBytes)),
            overflow || rawCount <= expandable
        else {
            throw ContainerError.invalidField("names of \(rawCount) bytes (\(storedCount) stored) for \(totalImages) images")
        }
        let stored = try reader.readBytes(Int(storedCount))
        let raw: [UInt8]
        do {
            raw = try Zlib.decompress(stored, count: Int(rawCount))
        } catch {
            throw ContainerError.invalidField("shard index names do not inflate")
        }
        return try decodeNames(raw, count: totalImages)
    }

    /// Reads shard `number` alone: its bytes, its CRC-32, its body (version 3: a format-2 body whose
    /// image names must be the index's; version 4: side planes, check, payload after the shared prefix).
    /// The result decodes like any dataset container (`Archive.decompress`), which checks the shard's
    /// pixel digest (version 4: its first `shardCheckByteCount` bytes).
    /// - Throws: `ContainerError` (`.checksumMismatch` for a damaged shard), or the source's error.
    /// - Parameter verifyingChecksum: false only to fuzz the parser behind the shard's CRC.
    public func shard(
        _ number: Int, from source: some ByteSource, limits: ImageLimits = .standard,
        verifyingChecksum: Bool = true
    ) throws -> Container {
        guard shards.indices.contains(number) else { throw ContainerError.invalidField("no shard \(number)") }
        let entry = shards[number]
        guard entry.offset + entry.byteCount <= source.byteCount else { throw ContainerError.truncated }
        let bytes = try source.bytes(in: entry.offset..<(entry.offset + entry.byteCount))
        // The CRC first: damage anywhere in the shard reads as damage, whatever field it hit.
        let bodyCount = bytes.count - 4
        let storedCRC =
            UInt32(bytes[bodyCount]) | UInt32(bytes[bodyCount + 1]) << 8
            | UInt32(bytes[bodyCount + 2]) << 16 | UInt32(bytes[bodyCount + 3]) << 24
        guard !verifyingChecksum || CRC32.checksum(bytes[..<bodyCount]) == storedCRC else {
            throw ContainerError.checksumMismatch
        }
        do {
            let body: ContainerBody
            if version == 3 {
                var reader = ByteReader(bytes)
                body = try Container.readVersion2Body(from: &reader, limits: limits)
                guard reader.offset == bodyCount else {
                    throw ContainerError.invalidField("shard \(number) does not end where its length says")
                }
                guard body.records.map(\.name) == entry.names else {
                    throw ContainerError.invalidField("shard \(number) does not hold the images the index names")
                }
            } else {
                var reader = ByteReader(Array(bytes[..<bodyCount]))
                let records = try Container.readSidePlanes(of: shardRecords[number], from: &reader)
                let check = try reader.readBytes(ShardedContainer.shardCheckByteCount)
                body = ContainerBody(
                    records: records, pixelDigest: check, payload: payloadPrefix + (try reader.readBytes(reader.remaining)))
            }
            let images = try body.records.map { try $0.inflated() }
            return try Container(
                version: version, coder: coder, isDataset: true, modelHash: modelHash,
                images: images, pixelDigest: body.pixelDigest, payload: body.payload)
        } catch let error as ByteReaderError {
            throw ContainerError(error)
        }
    }

    /// The shard that holds the image named `name`, if any.
    public func shardNumber(holding name: String) -> Int? {
        shards.firstIndex { $0.names.contains(name) }
    }

    // MARK: - Names column

    /// The names column of format 2 (§1.2): tag 0 and the bytes, or tag 1 for a numbered successor.
    static func encodeNames(_ names: [String]) -> [UInt8] {
        var writer = ByteWriter()
        var previous: [UInt8]?
        for name in names.map({ Array($0.utf8) }) {
            if let previous, NameSequence.follows(name, previous) {
                writer.append(RecordColumns.nextName)
            } else {
                writer.append(RecordColumns.explicitName)
                writer.appendVarint(UInt64(name.count))
                writer.append(name)
            }
            previous = name
        }
        return writer.bytes
    }

    static func decodeNames(_ raw: [UInt8], count: Int) throws -> [String] {
        var reader = ByteReader(raw)
        let names: [String]
        do {
            names = try RecordColumns.decodeNames(&reader, count: count)
        } catch ByteReaderError.truncated {
            throw ContainerError.invalidField("shard index names end early")
        }
        guard reader.isAtEnd else { throw ContainerError.invalidField("bytes after the shard index names") }
        return names
    }
}

/// Random access to a file's bytes, so that a reader of a sharded archive reads only what it needs.
public protocol ByteSource {
    /// The length of the file.
    var byteCount: Int { get }
    /// The bytes in `range` (within 0…byteCount).
    func bytes(in range: Range<Int>) throws -> [UInt8]
}

/// Bytes already in memory.
public struct MemoryByteSource: ByteSource, Sendable {
    public let storage: [UInt8]
    public init(_ storage: [UInt8]) { self.storage = storage }
    public var byteCount: Int { storage.count }
    public func bytes(in range: Range<Int>) throws -> [UInt8] { Array(storage[range]) }
}
