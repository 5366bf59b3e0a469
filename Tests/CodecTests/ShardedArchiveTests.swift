import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import Bytes
import Imaging
import PixelCoding
import TestSupport

/// Sharded dataset archives (container format 4; format 3 is read only): the partition, the index, one shard read alone,
/// bytes independent of the thread count and of where the shards were coded, damage found per shard.
final class ShardedArchiveTests: XCTestCase {
    private func images(_ count: Int) throws -> [NamedImage] {
        try (0..<count).map { i in
            NamedImage(
                name: "img_\(String(repeating: "0", count: 3 - String(i).count))\(i).png",
                image: try makeImage(i % 3 == 2 ? .gray : .rgb, bitDepth: 8, width: 3 + i % 4, height: 2 + i % 3, seed: UInt64(i))
            )
        }
    }

    private func storedCoder(_ threads: Int) -> any PixelCoder { StoredPixelCoder() }

    func testPartitionClosesAShardBeforeTheSizeIsPassed() {
        XCTAssertEqual(ShardSize.pixels(8).partition([4, 4, 4]), [0..<2, 2..<3])
        XCTAssertEqual(ShardSize.pixels(8).partition([10, 1, 1]), [0..<1, 1..<3], "a large image is a shard alone")
        XCTAssertEqual(ShardSize.images(2).partition([1, 1, 1, 1, 1]), [0..<2, 2..<4, 4..<5])
        XCTAssertEqual(ShardSize.images(5).partition([7]), [0..<1])
        XCTAssertEqual(ShardSize.standard.partition(Array(repeating: 1024, count: 2000)).map(\.count), [1024, 976])
    }

    func testShardsDecodeAloneAndTogether() throws {
        let originals = try images(7)
        let bytes = try ShardedArchive.compress(originals, size: .images(3), threads: 1, makeCoder: storedCoder)
        XCTAssertEqual(Array(bytes.prefix(8)), Container.magic)
        XCTAssertEqual(bytes[8], 4)
        let source = MemoryByteSource(bytes)
        let index = try ShardedContainer(readingIndexFrom: source)
        XCTAssertEqual(index.shards.map(\.names.count), [3, 3, 1])
        XCTAssertEqual(index.names, originals.map(\.name))
        XCTAssertEqual(index.shards.last.map { $0.offset + $0.byteCount }, bytes.count)
        XCTAssertEqual(index.shardNumber(holding: "img_004.png"), 1)
        XCTAssertNil(index.shardNumber(holding: "img_999.png"))
        let second = try Archive.decompress(index.shard(1, from: source), coder: StoredPixelCoder())
        XCTAssertEqual(second, Array(originals[3..<6]))
        let all = try ShardedArchive.decompress(index, shards: [0, 1, 2], from: source, threads: 2) { _, _ in StoredPixelCoder() }
        XCTAssertEqual(all.flatMap { $0 }, originals)
    }

    func testOneShardIsAFormat2Archive() throws {
        let originals = try images(4)
        let sharded = try ShardedArchive.compress(originals, size: .standard, threads: 2, makeCoder: storedCoder)
        XCTAssertEqual(sharded, try Archive.compress(originals, coder: StoredPixelCoder(), isDataset: true).serialized())
    }

    func testBytesDependOnNeitherThreadsNorWhereShardsWereCoded() throws {
        let prior = try GoldenFiles.prior()
        let makeCoder: (Int) throws -> any PixelCoder = { threads in
            try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: 2), threads: threads)
        }
        let originals = try images(5)
        let one = try ShardedArchive.compress(originals, size: .images(2), threads: 1, makeCoder: makeCoder)
        let two = try ShardedArchive.compress(originals, size: .images(2), threads: 2, makeCoder: makeCoder)
        XCTAssertEqual(one, two, "the thread count changed the bytes")
        // Each shard coded alone as a one-shard archive (as a cluster's workers do), then joined.
        let parts = try ShardSize.images(2).partition(originals.map(\.image.pixelCount)).map { range in
            try ShardedArchive.compress(Array(originals[range]), size: .images(2), threads: 1, makeCoder: makeCoder)
        }
        XCTAssertEqual(try ShardedContainer.join(parts), one, "joining the shard files changed the bytes")
        XCTAssertEqual(try ShardedContainer.join([one]), one)
        let decoded = try ShardedArchive.decompress(
            try ShardedContainer(readingIndexFrom: MemoryByteSource(one)), shards: [2, 0],
            from: MemoryByteSource(one), threads: 2
        ) { _, threads in try makeCoder(threads) }
        XCTAssertEqual(decoded, [[originals[4]], Array(originals[0..<2])])
        // Random access: shard 0's second image (its chain stops before the first).
        let tail = try ShardedArchive.decompress(
            try ShardedContainer(readingIndexFrom: MemoryByteSource(one)), shards: [0], wantedImages: [[1]],
            from: MemoryByteSource(one), threads: 1
        ) { _, threads in try makeCoder(threads) }
        XCTAssertEqual(tail, [[originals[1]]])
    }

    func testADamagedShardIsFoundAloneAndTheOthersStillDecode() throws {
        let originals = try images(6)
        var bytes = try ShardedArchive.compress(originals, size: .images(2), threads: 1, makeCoder: storedCoder)
        let index = try ShardedContainer(readingIndexFrom: MemoryByteSource(bytes))
        bytes[index.shards[1].offset + index.shards[1].byteCount / 2] ^= 0x10
        let source = MemoryByteSource(bytes)
        XCTAssertThrowsError(try index.shard(1, from: source)) { XCTAssertEqual($0 as? ContainerError, .checksumMismatch) }
        XCTAssertEqual(try Archive.decompress(index.shard(0, from: source), coder: StoredPixelCoder()), Array(originals[0..<2]))
        XCTAssertEqual(try Archive.decompress(index.shard(2, from: source), coder: StoredPixelCoder()), Array(originals[4..<6]))
    }

    func testDamagedOrTruncatedIndexIsRefused() throws {
        let bytes = try ShardedArchive.compress(try images(5), size: .images(2), threads: 1, makeCoder: storedCoder)
        var flipped = bytes
        flipped[50] ^= 1
        XCTAssertThrowsError(try ShardedContainer(readingIndexFrom: MemoryByteSource(flipped))) {
            XCTAssertEqual($0 as? ContainerError, .checksumMismatch)
        }
        for length in [0, 5, 9, 44, 47, 49, bytes.count - 1] {
            XCTAssertThrowsError(
                try ShardedContainer(readingIndexFrom: MemoryByteSource(Array(bytes.prefix(length)))),
                "a file cut to \(length) bytes was accepted")
        }
        XCTAssertThrowsError(try ShardedContainer(readingIndexFrom: MemoryByteSource(bytes + [0]))) {
            XCTAssertEqual($0 as? ContainerError, .trailingBytes)
        }
        // The v1/v2 parser refuses the new version with a clear error.
        XCTAssertThrowsError(try Container(parsing: bytes)) { XCTAssertEqual($0 as? ContainerError, .unsupportedVersion(4)) }
    }

    /// An index that claims more shards than the cap, or lengths beyond the file, with a valid CRC.
    func testIndexFieldsAreCheckedAgainstTheCapAndTheBytesThatRemain() throws {
        func file(index: [UInt8], tail: [UInt8], version: UInt16 = 3) -> [UInt8] {
            var writer = ByteWriter()
            writer.append(Container.magic)
            writer.append(version)
            writer.append(UInt8(0))
            writer.append(UInt8(1))
            writer.append([UInt8](repeating: 0, count: 32))
            writer.append(UInt32(index.count))
            writer.append(index)
            let crc = CRC32.checksum(writer.bytes[...])
            writer.append(crc)
            return writer.bytes + tail
        }
        var tooMany = ByteWriter()
        tooMany.appendVarint(UInt64(ShardedContainer.maxShardCount + 1))
        XCTAssertThrowsError(try ShardedContainer(readingIndexFrom: MemoryByteSource(file(index: tooMany.bytes, tail: [])))) {
            XCTAssertEqual($0 as? ContainerError, .invalidField("shard count 65537 outside 1…65536"))
        }
        /// Parses an index of `varints`, then `bytes`, then `trailer` varints, before `tail` bytes of shards.
        func parse(_ varints: [Int], _ bytes: [UInt8] = [], _ trailer: [Int] = [], tail: Int, version: UInt16 = 3)
            throws -> ShardedContainer
        {
            var index = ByteWriter()
            for value in varints { index.appendVarint(UInt64(value)) }
            index.append(bytes)
            for value in trailer { index.appendVarint(UInt64(value)) }
            let tailBytes = [UInt8](repeating: 0, count: tail)
            return try ShardedContainer(
                readingIndexFrom: MemoryByteSource(file(index: index.bytes, tail: tailBytes, version: version)))
        }
        func isInvalidField(_ error: Error) {
            guard case .invalidField? = error as? ContainerError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try parse([1, 1, 1000], tail: 20))
        // Names (v3) or records (v4) that claim more bytes than deflate can make of the stored ones.
        XCTAssertThrowsError(try parse([1, 1, 5, 1 << 40, 2], [0x78, 0x9C], tail: 5), "v3 names", isInvalidField)
        XCTAssertThrowsError(
            try parse([1, 1, 12, 1 << 20, 2], [0x78, 0x9C], [0], tail: 12, version: 4), "v4 records", isInvalidField)
        // Version 4: a shard shorter than its check and CRC.
        XCTAssertThrowsError(try parse([1, 1, 11], tail: 11, version: 4)) {
            XCTAssertEqual($0 as? ContainerError, .truncated)
        }
    }

    func testMixedOrUnnamedShardsAreRefused() throws {
        let originals = try images(2)
        let a = try Archive.compress([originals[0]], coder: StoredPixelCoder(), isDataset: true)
        XCTAssertThrowsError(try ShardedContainer.assemble([a, a]), "two images of the same name")
        let single = try Archive.compress([originals[1]], coder: StoredPixelCoder(), isDataset: false)
        XCTAssertThrowsError(try ShardedContainer.assemble([a, single]), "a shard that is not a dataset")
        XCTAssertThrowsError(try ShardedContainer.assemble([]))
    }
}
