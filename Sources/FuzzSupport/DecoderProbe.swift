import Codec
import Foundation
import Model
import Imaging
import PixelCoding
import ContainerFormat

/// Decodes untrusted `.vdmz` bytes the way `vdmz decompress` does, for fuzzing: the libFuzzer target
/// (fuzz/) and the deterministic mutation run of the test suite both call `probe`.
///
/// Every input is decoded twice: once with every check, and once with the container's and the ANS
/// message's CRC-32 skipped, so that mutations reach the parsers and the bits-back decoder behind them.
/// The invariant under test: each attempt ends in a thrown error or in images that match the stored
/// pixel digest (and, in format 1, each its own checksum: `Archive.decompress` checks them) — never a
/// crash, a hang or an unbounded allocation.
public struct DecoderProbe {
    /// What one decoding attempt ended in.
    public enum Outcome {
        case rejected(Error)
        case decoded([NamedImage])
        /// Not attempted: the declared work (pixels × steps) is above `maxWork`.
        case skipped
    }

    /// Limits applied to the container header before anything is allocated.
    public let limits: ImageLimits
    /// Largest Σ pixels × (steps + 1) decoded; larger (legitimately slow) inputs are skipped, so that a
    /// fuzzer's timeout reports a hang, not a long but finite decode.
    public let maxWork: Int
    let factory: CoderFactory

    /// - Parameter checkpoint: the model the bits-back coder decodes with (Tests/Golden/model.safetensors).
    public init(
        checkpoint: URL,
        limits: ImageLimits = ImageLimits(
            maxPixels: 1 << 12, maxTotalPixels: 1 << 14,
            maxWork: 1 << 17, workPerPayloadByte: 0),
        maxWork: Int = 1 << 16
    ) throws {
        self.factory = CoderFactory(
            prior: .loaded(try DiffusionPrior(checkpoint: Checkpoint(contentsOf: checkpoint))),
            limits: limits)
        self.limits = limits
        self.maxWork = maxWork
    }

    /// Decodes `bytes` with all checks, then with the CRCs skipped.
    public func probe(_ bytes: [UInt8]) -> [Outcome] {
        [attempt(bytes, verifyingChecksums: true), attempt(bytes, verifyingChecksums: false)]
    }

    /// One decoding attempt.
    public func attempt(_ bytes: [UInt8], verifyingChecksums: Bool) -> Outcome {
        do {
            if ShardedContainer.isSharded(prefix: Array(bytes.prefix(10))) {
                return try attemptSharded(bytes, verifyingChecksums: verifyingChecksums)
            }
            let container = try Container(parsing: bytes, limits: limits, verifyingChecksum: verifyingChecksums)
            guard container.decodingWork <= maxWork else { return .skipped }
            // As `vdmz decompress`: a dataset archive's names must be usable file names.
            if container.isDataset, let bad = container.images.first(where: { !EntryName.isValid($0.name) }) {
                throw ContainerError.invalidField("entry name \"\(EntryName.printable(bad.name))\"")
            }
            let coder = try factory.decoder(for: container, verifyingMessageChecksum: verifyingChecksums)
            return .decoded(try Archive.decompress(container, coder: coder))
        } catch {
            return .rejected(error)
        }
    }

    /// A sharded (format 3 or 4) archive: every shard read alone and decoded as `vdmz decompress` does.
    private func attemptSharded(_ bytes: [UInt8], verifyingChecksums: Bool) throws -> Outcome {
        let source = MemoryByteSource(bytes)
        let index = try ShardedContainer(readingIndexFrom: source, limits: limits, verifyingChecksum: verifyingChecksums)
        var shards: [Container] = []
        var work = 0
        for number in index.shards.indices {
            let shard = try index.shard(number, from: source, limits: limits, verifyingChecksum: verifyingChecksums)
            work += shard.images.reduce(0) { $0 + $1.header.width * $1.header.height * ($1.steps + 1) }
            guard work <= maxWork else { return .skipped }
            shards.append(shard)
        }
        var images: [NamedImage] = []
        for shard in shards {
            let coder = try factory.decoder(for: shard, verifyingMessageChecksum: verifyingChecksums)
            images += try Archive.decompress(shard, coder: coder)
        }
        return .decoded(images)
    }
}
